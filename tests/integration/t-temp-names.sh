#!/bin/bash
# SPDX-License-Identifier: MIT
# t-temp-names.sh - mkdtemp, mktemp and tempnam in a read-only folder give
# what they give in a writable copy of it, error cases included, and see
# the overlay's names; tmpfile works when /tmp itself is read-only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conform.sh"
plan 13

is "$(probe mkdtemp "$RO/sub/dXXXXXX")" EROFS "without rwshim mkdtemp() in the read-only tree fails with EROFS"

conform "mkdtemp makes a 0700 folder in a read-only folder, and in one the overlay made" \
	'$P mkdtemp $T/sub/dXXXXXX && ls -d $T/sub/d* | wc -l; mkdir $T/nd && $P mkdtemp $T/nd/XXXXXX && ls $T/nd | wc -l'
conform "mkdtemp errors: EINVAL, ENOENT, ENOTDIR" \
	'$P mkdtemp $T/sub/noX; $P mkdtemp $T/sub/XXXXX; $P mkdtemp $T/none/dXXXXXX; $P mkdtemp $T/hello.txt/dXXXXXX'
conform "mktemp names a free name in a read-only folder, and in one the overlay made" \
	'$P mktemp $T/sub/mXXXXXX; mkdir $T/nd && $P mktemp $T/nd/mXXXXXX; ls $T/sub'
conform "mktemp errors: EINVAL, ENOTDIR; a missing folder is a free name" \
	'$P mktemp $T/sub/bad; $P mktemp $T/hello.txt/mXXXXXX; $P mktemp $T/none/mXXXXXX'
conform "tempnam uses the folder asked for, then \$TMPDIR, and at most five letters of the prefix" \
	'$P tempnam $T/sub pfx; $P tempnam $T/sub/ abcdefgh; TMPDIR=$T/sub $P tempnam /nonexistent xy; TMPDIR=$T/none $P tempnam $T/sub/deep ""'
conform "tempnam with a \$TMPDIR only the overlay has" \
	'mkdir $T/tmpd && TMPDIR=$T/tmpd $P tempnam /nonexistent x'
conform "mktemp(1) -d, -p and -u in a read-only folder" \
	'd=$(mktemp -d -p $T/sub) && f=$(mktemp -p $d) && echo hi > $f && cat $f && ls -ld $d | cut -c1-10 && u=$(mktemp -u -p $T/sub) && [ ! -e $u ] && echo unused'

# --- tmpfile with a read-only /tmp -------------------------------------------
# The test runs in its own mount namespace (lib.sh): /tmp is made read-only
# there alone, by a read-only bind of it over itself; the mounts below it
# (the test's work folder) stay writable.
if mount --rbind /tmp /tmp 2>/dev/null && mount -o remount,bind,ro /tmp 2>/dev/null &&
	[ "$(probe open-w /tmp/.rwshim-proof x)" = EROFS ]; then
	is "$(probe tmpfile abc)" EROFS "without rwshim tmpfile() with a read-only /tmp fails with EROFS"
	capture shim "$RW_PROBE" tmpfile "written and read back"
	is "$OUT" "ok written and read back unnamed" "tmpfile() with a read-only /tmp gives a file that holds data, and has no name"
	capture shim sh -c "'$RW_PROBE' tmpfile x >/dev/null && ls /tmp/tmpf* 2>/dev/null | wc -l"
	is "$OUT" 0 "and leaves no name in /tmp"
	if command -v python3 >/dev/null 2>&1; then
		capture shim python3 -c 'import tempfile; f = tempfile.TemporaryFile(dir="/tmp"); f.write(b"py"); f.seek(0); print(f.read().decode())'
		is "$OUT" py "python3 tempfile.TemporaryFile in a read-only /tmp"
	else
		skip "python3 not found"
	fi
	capture shim "$RW_PROBE" mkdtemp /tmp/rwshim-test-XXXXXX
	is "$OUT" "ok 0700 in-place" "mkdtemp in a read-only /tmp"
	# Back to the real /tmp: the clean-up removes folders below it.
	umount -l /tmp
else
	for i in 1 2 3 4 5; do skip "cannot make /tmp read-only in the test's mount namespace"; done
fi
