#!/bin/bash
# SPDX-License-Identifier: MIT
# t-close-all-descriptors-keeps-session.sh - a program that closes all its
# descriptors (close_range, closefrom, close() in a loop to 1024, close()
# of every /proc/self/fd entry) keeps its session: it still writes and reads
# its overlay, a program it execs afterwards does too, and when it outlives
# the rest of the tree the storage does not vanish under it.
. "$(dirname "$0")/lib.sh"
plan 13

C=${RW_PROBE%/*}/rw_closeall

for mode in close_range closefrom loop procfd; do
	capture preload sh -c "echo base > '$RO/c.$mode'; '$C' $mode '$RO/c.$mode' cat '$RO/c.$mode'"
	is "$OUT" "base
closeall
base
closeall" "$mode: after closing everything it writes and reads its overlay, and so does the program it execs"

	# The tree's first process exits at once; the closer is left alone and
	# uses the overlay a second later: the storage must still be there.
	rm -f "$RW/sib.$mode"
	setsid env LD_PRELOAD="$RWSHIM_LIB" sh -c "echo base > '$RO/s.$mode'
		('$C' $mode '$RO/s.$mode' sh -c 'sleep 1; cat $RO/s.$mode > $RW/sib.tmp.$mode; echo late >> $RO/s.$mode; cat $RO/s.$mode >> $RW/sib.tmp.$mode; mv $RW/sib.tmp.$mode $RW/sib.$mode' >/dev/null 2>&1 &)
		exit 0" </dev/null >/dev/null 2>&1
	wait_for_file "$RW/sib.$mode" 10
	is "$(cat "$RW/sib.$mode" 2>&1)" "base
closeall
base
closeall
late" "$mode: left alone after the rest of the tree exited, it still reads and writes its overlay"
	assert_storage_empty "$mode: the storage is removed once it has exited"
done
capture preload sh -c "echo base > '$RO/d'; exec 5<'$RO/d'; '$C' loop '$RO/d'"
is "$OUT" "base
closeall" "a shell descriptor open on an overlay file does not stop the sweep or the session"
