#!/bin/bash
# SPDX-License-Identifier: MIT
# t-hooks-before-constructor.sh - a library linked into the program has a
# constructor that calls open(), stat() and writes into the read-only folder
# before rwshim's own constructor has run (the loader initialises a
# program's libraries before LD_PRELOAD ones): each call works, and the
# program sees the file afterwards.
. "$(dirname "$0")/lib.sh"
plan 6

E=${RW_PROBE%/*}/rw_early
want="ctor-read: ok 21
ctor-stat: ok 21
ctor-write: ok 6
ctor-stat-new: ok 6
main-read: early"

capture env RW_EARLY_DIR="$RO" LD_PRELOAD="$RWSHIM_LIB" "$E"
is "$(printf '%s\n' "$OUT" | head -1)" "session-before-ctor: unset" \
	"the library's constructor ran before rwshim's (no session in the environment yet)"
is "$RC:$(printf '%s\n' "$OUT" | tail -n +2)" "0:$want" \
	"under LD_PRELOAD: open, stat and a write into the read-only folder from the early constructor work"
capture env RW_EARLY_DIR="$RO" "$RWSHIM_BIN" -- "$E"
is "$RC:$(printf '%s\n' "$OUT" | tail -n +2)" "0:$want" "under the rwshim command: the same"
capture env RW_EARLY_DIR="$RO" LD_PRELOAD="$RWSHIM_LIB" sh -c "'$E' >/dev/null; cat '$RO/early-made'"
is "$OUT" "early" "the file the early constructor wrote stays in the tree's overlay for its parent"
capture env RW_EARLY_DIR="$RO" RWSHIM_SCOPE=process LD_PRELOAD="$RWSHIM_LIB" "$E"
is "$RC:$(printf '%s\n' "$OUT" | tail -n +2)" "0:$want" "process scope: the same"
ERR=
assert_storage_empty "the storage is removed after the runs"
