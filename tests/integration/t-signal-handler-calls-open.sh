#!/bin/bash
# SPDX-License-Identifier: MIT
# t-signal-handler-calls-open.sh - a SIGALRM handler that opens, creates and
# stats files in the read-only folder interrupts a loop of hooked calls
# (create, read, stat of a missing file, listing, rename) every 100 us: no
# deadlock, every call in the handler and in the loop gives the right
# result and errno. Tree scope and process scope.
lower_extra() {
	mkdir "$1/t" && printf 'lower\n' >"$1/t/lower.txt"
}
. "$(dirname "$0")/lib.sh"
plan 4

T=${RW_PROBE%/*}/rw_threads

for scope in tree process; do
	capture timeout 300 env RWSHIM_SCOPE=$scope LD_PRELOAD="$RWSHIM_LIB" "$T" signal "$RO/t" 3000
	like "$RC:$OUT" '^0:ok main-iterations=3000 handler-runs=[0-9]+$' \
		"$scope scope: open() in a signal handler interrupting hooks works, 3000 iterations"
	[ "$RC" = 124 ] && diag "it hung (timeout 300 s)"
	assert_storage_empty "$scope scope: the storage is removed after the run"
done
