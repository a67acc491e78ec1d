#!/bin/bash
# SPDX-License-Identifier: MIT
# t-cancel-inside-hooks.sh - hooked functions that are cancellation points
# stay cancellation points (a thread blocked in open() of a FIFO is
# cancelled), and threads cancelled at random points inside hooks (merged
# listings, copy-ups, reads, creates) leave nothing held: no descriptor that
# only a hook opens, no half-made copy in the storage, and later calls work.
lower_extra() {
	mkdir "$1/t" && mkfifo "$1/t/fifo" || return 1
	for i in $(seq 0 99); do printf 'lower %s\n' "$i" >"$1/t/lower.$(printf %03d "$i")"; done
}
. "$(dirname "$0")/lib.sh"
plan 6

T=${RW_PROBE%/*}/rw_threads
want='^0:ok fifo-open cancelled; [0-9]+ of 300 threads cancelled inside hooks; no descriptor or copy left$'

capture timeout 300 env LD_PRELOAD="$RWSHIM_LIB" "$T" cancel "$RO/t/fifo" "$RO/t" 300
like "$RC:$OUT" "$want" "tree scope: 300 cancellations inside hooks leave no descriptor, no copy, and hooks work after"
ERR=
# Protected, every call takes the hooks' full path, the FIFO open included.
capture timeout 300 env RWSHIM_PATHS="$RO" LD_PRELOAD="$RWSHIM_LIB" "$T" cancel "$RO/t/fifo" "$RO/t" 300
like "$RC:$OUT" "$want" "with RWSHIM_PATHS (every call through the full hook path): the same holds"
ERR=
capture timeout 300 env RWSHIM_SCOPE=process LD_PRELOAD="$RWSHIM_LIB" "$T" cancel "$RO/t/fifo" "$RO/t" 300
like "$RC:$OUT" "$want" "process scope: the same holds"
ERR=
assert_storage_empty "the storage is removed after the runs"

# Cancellation of a thread blocked in a hooked open() on its own, quickly.
capture timeout 60 env RWSHIM_PATHS="$RO" LD_PRELOAD="$RWSHIM_LIB" "$T" cancel "$RO/t/fifo" "$RO/t" 0
like "$RC:$OUT" "^0:ok fifo-open cancelled" "a thread blocked in open() of a FIFO under a protected path is cancelled there"
ERR=
capture timeout 60 env LD_PRELOAD="$RWSHIM_LIB" "$T" cancel "$RO/t/fifo" "$RO/t" 0
like "$RC:$OUT" "^0:ok fifo-open cancelled" "a thread blocked in open() of a FIFO in a live overlay is cancelled there"
ERR=
