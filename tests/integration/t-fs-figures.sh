#!/bin/bash
# SPDX-License-Identifier: MIT
# t-fs-figures.sh - statvfs, statfs, pathconf, euidaccess, inotify and
# name_to_handle_at through the merged view: a read-only tree reports what
# a writable copy reports (no read-only flag; the room is the storage's),
# entries only the overlay has answer like the others, a watch sees what is
# made in a read-only folder, and a file handle is refused cleanly for an
# overlay entry.
lower_extra() {
	ln -s loop2 "$1/loop1"
	ln -s loop1 "$1/loop2"
}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conform.sh"
plan 14

is "$(probe statvfs "$RO")" "ok rdonly=1" "without rwshim statvfs() of the read-only tree says read-only"

# --- statvfs and statfs ------------------------------------------------------
conform "statvfs, fstatvfs and statfs of the tree, its files and folders: no read-only flag" \
	'$P statvfs $T; $P statvfs $T/hello.txt; $P statfs $T/sub; $P fstatvfs $T/hello.txt; $P statvfs $T/link-to-hello'
conform "statvfs of entries only the overlay has" \
	'echo x > $T/new && $P statvfs $T/new; mkdir -p $T/nd/deeper && $P statfs $T/nd/deeper; $P chmod $T/hello.txt 0600 && $P statvfs $T/hello.txt'
conform "statvfs errors: ENOENT, ENOTDIR, ELOOP, a deleted file" \
	'$P statvfs $T/none; $P statvfs $T/hello.txt/x; $P statfs $T/loop1; rm $T/victim.txt && $P statvfs $T/victim.txt'
capture shim stat -f -c '%b %S' "$RO"
is "$OUT" "$(stat -f -c '%b %S' "$STORE")" "the room reported for the read-only tree is the storage's"
capture shim stat -f -c '%T' "$RO"
is "$OUT" "$(stat -f -c '%T' "$RO")" "the type reported is the read-only filesystem's"
capture shim sh -c "'$RW_PROBE' statvfs /proc; '$RW_PROBE' statvfs /sys; '$RW_PROBE' statvfs '$RW'"
is "$OUT" "$(probe statvfs /proc; probe statvfs /sys; probe statvfs "$RW")" "/proc, /sys and writable folders report what they report without rwshim"
capture shim df -P "$RO"
is "$RC" 0 "df of the read-only tree works"

# --- pathconf and euidaccess -------------------------------------------------
conform "pathconf of lower entries, of overlay entries, and its errors" \
	'$P pathconf $T; $P pathconf $T/hello.txt; echo x > $T/new && $P pathconf $T/new; mkdir $T/nd && getconf NAME_MAX $T/nd; $P pathconf $T/none; $P pathconf $T/loop1'
conform "euidaccess: a write would now succeed; execute and errors as on a writable copy" \
	'$P euidaccess $T/hello.txt w; $P euidaccess $T/sub w; $P euidaccess $T/bin/script.sh x; $P euidaccess $T/hello.txt x; $P euidaccess $T/none w; $P euidaccess $T/hello.txt/x r; echo x > $T/new && $P euidaccess $T/new w'

# --- inotify -------------------------------------------------------------------
conform "inotify sees names made in a read-only folder, a merged one, one only the overlay has" \
	'$P inotify $T/empty a; $P inotify $T/sub b; echo x > $T/conf/new && $P inotify $T/conf c; mkdir $T/nd && $P inotify $T/nd d; $P inotify $T/none e; ls $T/empty $T/sub'
conform "inotify through a link to a read-only folder" \
	'ln -s sub $T/ls && $P inotify $T/ls f && ls $T/sub'

# --- file handles --------------------------------------------------------------
if [ "$(probe handle "$RO/hello.txt")" = ok ]; then
	capture shim sh -c "'$RW_PROBE' handle '$RO/hello.txt'; echo x > '$RO/new'; '$RW_PROBE' handle '$RO/new'; chmod 600 '$RO/log.txt'; '$RW_PROBE' handle '$RO/log.txt'; '$RW_PROBE' handle '$RO/sub'; '$RW_PROBE' handle '$RO/none'"
	is "$OUT" "ok
EOPNOTSUPP
EOPNOTSUPP
ok
ENOENT" "name_to_handle_at: lower entries have handles, overlay entries fail cleanly with EOPNOTSUPP"
else
	skip "the lower's filesystem gives no file handles"
fi

# --- documented pass-through: files glibc reads through internal calls --------
# /etc is made read-only in the test's own mount namespace (lib.sh) alone.
if command -v getent >/dev/null 2>&1 && mount --bind /etc /etc 2>/dev/null &&
	mount -o remount,bind,ro /etc 2>/dev/null && [ "$(probe open-a /etc/passwd x)" = EROFS ]; then
	capture shim sh -c "echo 'rwshimtest:x:4242:4242::/:/bin/sh' >> /etc/passwd && grep -c '^rwshimtest:' /etc/passwd; getent passwd rwshimtest; echo \$?"
	is "$OUT" "1
2" "a user added to a read-only /etc/passwd is in the file, but getpwnam does not see it (docs/HOOKS.md)"
	umount -l /etc
else
	skip "cannot make /etc read-only in the test's mount namespace"
fi
