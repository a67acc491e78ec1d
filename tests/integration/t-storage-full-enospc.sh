#!/bin/bash
# SPDX-License-Identifier: MIT
# t-storage-full-enospc.sh - the storage folder is a 1 MiB tmpfs: the write
# that cannot fit fails with ENOSPC, everything written before is intact,
# one line on stderr says why, and the program goes on (it neither crashes
# nor loses a file): a copy-up bigger than the storage, a new file bigger
# than the storage, new files after the storage is full, and storage that
# is full before the tree's first write.
lower_extra() {
	head -c 2097152 /dev/urandom >"$1/big.bin" && touch -d '2020-01-02 03:04:05' "$1/big.bin"
}
. "$(dirname "$0")/lib.sh"
plan 13

mount -t tmpfs -o size=1m,mode=0755 rwshim-small "$STORE" || bail_out "cannot mount a small tmpfs on $STORE"

# One program (a shell) does it all, so "goes on" is visible in its output.
capture shim sh -c "
	echo small > '$RO/small.txt'
	head -c 300000 /dev/zero > '$RO/mid.bin'
	'$RW_PROBE' open-a '$RO/big.bin' appended
	cat '$RO/small.txt'
	head -c 300000 /dev/zero | cmp -s - '$RO/mid.bin' && echo mid-intact
	cmp -s '$RO/big.bin' - < '$RO/big.bin' && stat -c %s '$RO/big.bin'
	head -c 2000000 /dev/zero > '$RO/huge.bin' 2>/dev/null || echo huge-failed
	rm -f '$RO/huge.bin'
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do mkdir -p '$RO/n'\$i/m\$i && echo x > '$RO/n'\$i/m\$i/f || echo nfail\$i; done; echo nloop-done
	echo after > '$RO/after.txt' && cat '$RO/after.txt'
	cat '$RO/small.txt'
	echo end"
sig=$RC
is "$sig" 0 "the program under rwshim ends normally (no crash: got exit $sig)"
out=$OUT
err=$ERR
is "$(printf '%s\n' "$out" | sed -n 1p)" "ENOSPC" "a copy-up of a 2 MiB file into a 1 MiB storage fails with ENOSPC"
is "$(printf '%s\n' "$out" | sed -n 2,3p)" "small
mid-intact" "the files written before are intact"
is "$(printf '%s\n' "$out" | sed -n 4p)" "2097152" "the read-only file still reads whole, without a partial copy"
is "$(printf '%s\n' "$out" | sed -n 5p)" "huge-failed" "a new file bigger than the storage fails to write"
is "$(printf '%s\n' "$out" | grep -c nfail):$(printf '%s\n' "$out" | grep -c nloop-done)" 0:1 "after the failed writes are undone, 16 new folders and files fit again"
is "$(printf '%s\n' "$out" | tail -n 3)" "after
small
end" "the program goes on: later writes work and earlier files are still there"
is "$(printf '%s\n' "$err" | grep -c '^rwshim:')" 1 "exactly one line from rwshim on stderr"
like "$(printf '%s\n' "$err" | grep '^rwshim:')" 'space' "and it says the storage is out of space"
diag "stderr was:" "$err"
ERR=
assert_storage_empty "the storage is removed after the run"

# Fill the storage while the tree runs, then keep making new names: the
# shared index must never turn a full storage into a crash (SIGBUS).
capture preload sh -c "
	echo a > '$RO/a'
	head -c 2000000 /dev/zero > '$RO/fill.bin' 2>/dev/null
	for i in \$(seq 1 40); do mkdir -p '$RO/d'\$i/e\$i 2>/dev/null; echo x > '$RO/d'\$i/e\$i/f 2>/dev/null; done
	cat '$RO/a'; echo alive"
is "$RC:$OUT" "0:a
alive" "with the storage full, 40 more new paths fail cleanly and the program goes on (exit $RC)"
ERR=
assert_storage_empty "the storage is removed after the run" 15

# Full before the tree's first write.
head -c 2000000 /dev/zero >"$STORE/.filler" 2>/dev/null
capture preload sh -c "'$RW_PROBE' open-w '$RO/first' x; echo alive"
rm -f "$STORE/.filler"
is "$RC:$OUT" "0:ENOSPC
alive" "storage full before the first write: that write fails with ENOSPC, the program goes on"
diag "stderr was:" "$ERR"
ERR=
wait_storage_empty "$STORE" 10
umount "$STORE" 2>/dev/null
