#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-bounded-stack.sh - finding 12 (docs/SECURITY.md): the library's
# stack use is bounded. `mv` of a read-only folder 900 levels deep (copied
# into the overlay), a thread with a 32 KiB stack calling open, stat and
# mkdir on overlay paths, and a signal handler on a 32 KiB sigaltstack
# calling open on an overlay path: none may crash.
lower_extra() {
	(cd "$1" && mkdir deep && cd deep && p=$(printf 'a/%.0s' $(seq 1 900)) && mkdir -p "$p" && echo bottom >"${p}f")
}
. "$(dirname "$0")/lib.sh"
plan 4
RW_ATTACK=${RW_ATTACK:-${RW_PROBE%/rw_probe}/rw_attack}

capture shim mv "$RO/deep" "$RO/moved"
is "$RC" 0 "mv of a 900-deep read-only folder under rwshim succeeds (exit $RC; 139 is SIGSEGV)"
capture shim sh -c "cat '$RO/moved/'$(printf 'a/%.0s' $(seq 1 900))f"
is "$OUT" "bottom" "the moved tree holds its deepest file"
capture shim "$RW_ATTACK" small-stack "$RO/sub"
is "$RC:$OUT" "0:ok" "a thread with a 32 KiB stack calls open, stat and mkdir on overlay paths (exit $RC)"
capture shim "$RW_ATTACK" altstack "$RO/sub"
is "$RC:$OUT" "0:ok" "a handler on a 32 KiB sigaltstack opens an overlay path (exit $RC)"
