#!/bin/bash
# SPDX-License-Identifier: MIT
# t-metadata.sh - chmod, chown, the utime family, truncate and the xattr
# calls on a read-only tree give what they give on a writable copy of it,
# error cases included: the entry is copied up (content, mode, owner,
# times and xattrs) and the change lands on the copy.
lower_extra() {
	ln -s loop2 "$1/loop1"
	ln -s loop1 "$1/loop2"
	ln -s nowhere "$1/dangling"
	printf '0123456789' >"$1/ten"
	# user.* xattrs on tmpfs need Linux 6.6; the tests say when they cannot.
	"$RW_PROBE" setxattr "$1/ten" user.old lower >/dev/null &&
		"$RW_PROBE" setxattr "$1/sub" user.dir folder >/dev/null
	find "$1" -exec touch -h -d '2020-01-02 03:04:05' {} +
}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conform.sh"
plan 28

is "$(probe chmod "$RO/hello.txt" 600)" EROFS "without rwshim chmod() of a read-only file fails with EROFS"

# --- chmod -------------------------------------------------------------------
conform "chmod of a read-only file: mode changes, content and times stay" \
	'$P chmod $T/hello.txt 0600 && $P meta $T/hello.txt && $P times $T/hello.txt && cat $T/hello.txt'
conform "chmod follows links; lchmod of a link is EOPNOTSUPP, of a file works" \
	'$P chmod $T/link-to-hello 0604 && $P meta $T/hello.txt && $P meta $T/link-to-hello; $P lchmod $T/link-to-hello 0600; $P lchmod $T/log.txt 0611 && $P meta $T/log.txt'
conform "chmod errors: ENOENT, ENOTDIR, ELOOP, a dangling link, ENAMETOOLONG" \
	"\$P chmod \$T/none 0600; \$P chmod \$T/hello.txt/x 0600; \$P chmod \$T/loop1 0600; \$P chmod \$T/dangling 0600; \$P chmod \$T/$(printf 'n%.0s' $(seq 1 256)) 0600; \$P chmod \$T/hello.txt/ 0600"
conform "fchmod on a read-only descriptor of a read-only file" \
	'$P fchmod $T/sub/file.txt 0640 && $P meta $T/sub/file.txt'
conform "chmod of a read-only folder keeps its entries listed" \
	'$P chmod $T/sub 0700 && $P meta $T/sub && ls $T/sub && cat $T/sub/deep/file.txt'
conform "chmod of a file made in the overlay, and of one chmod'ed before" \
	'echo x > $T/new && $P chmod $T/new 0604 && $P meta $T/new; $P chmod $T/hello.txt 0600 && $P chmod $T/hello.txt 0644 && $P meta $T/hello.txt'
conform "chmod(1) and stat(1)" \
	'chmod u+x,g-r $T/hello.txt && chmod -R go-rwx $T/sub && stat -c "%A %n" $T/hello.txt $T/sub/file.txt $T/sub/deep/file.txt'

# --- chown -------------------------------------------------------------------
conform "chown, lchown, fchown and fchownat(AT_EMPTY_PATH) of read-only entries" \
	'$P chown $T/hello.txt 12 34 && $P meta $T/hello.txt; $P lchown $T/link-to-hello 5 6 && $P meta $T/link-to-hello && $P meta $T/hello.txt; $P fchown $T/log.txt 7 8 && $P meta $T/log.txt; $P fchownat-empty $T/sub/file.txt 9 10 && $P meta $T/sub/file.txt'
conform "chown errors: ENOENT, ENOTDIR, ELOOP, a dangling link" \
	'$P chown $T/none 1 1; $P chown $T/hello.txt/x 1 1; $P chown $T/loop1 1 1; $P chown $T/dangling 1 1; $P lchown $T/dangling 3 3 && $P meta $T/dangling'
conform "chown(1) -R of a read-only folder" \
	'chown -R 1:2 $T/sub && stat -c "%u:%g %n" $T/sub $T/sub/file.txt $T/sub/deep $T/sub/deep/file.txt'

# --- times -------------------------------------------------------------------
conform "utime, utimes, lutimes, futimens, utimensat(AT_EMPTY_PATH), futimesat" \
	'$P utime $T/hello.txt 1000000000 && $P times $T/hello.txt; $P utimes $T/log.txt 1100000000 && $P times $T/log.txt; $P lutimes $T/link-to-hello 1200000000 && $P times $T/link-to-hello && $P times $T/hello.txt; $P futimens $T/sub/file.txt 1300000000 && $P times $T/sub/file.txt; $P utimensat-empty $T/victim.txt 1400000000 && $P times $T/victim.txt; $P futimesat $T/sub deep 1500000000 && $P times $T/sub/deep; $P utimensat-nofollow $T/dangling 1600000000 && $P times $T/dangling'
conform "time errors: ENOENT, ENOTDIR, ELOOP, a dangling link" \
	'$P utimes $T/none 1; $P utimes $T/hello.txt/x 1; $P utimes $T/loop1 1; $P utimes $T/dangling 1; $P futimesat $T/sub none 1'
conform "touch -d and touch -h -d, then stat" \
	'touch -d "2001-02-03 04:05:06 UTC" $T/hello.txt $T/sub && touch -h -d "2002-03-04 05:06:07 UTC" $T/link-to-hello && touch $T/brand-new && TZ=UTC stat -c "%y %n" $T/hello.txt $T/sub $T/link-to-hello && ls $T/brand-new'

# --- truncate ----------------------------------------------------------------
conform "truncate shrinks and grows a read-only file; through a link" \
	'$P truncate $T/ten 4 && cat $T/ten && echo; $P truncate $T/ten 6 && od -An -c $T/ten; $P truncate $T/link-to-hello 5 && cat $T/hello.txt; echo; $P meta $T/ten'
conform "truncate errors: EISDIR, ENOENT, ENOTDIR, ELOOP, EINVAL" \
	'$P truncate $T/sub 0; $P truncate $T/none 0; $P truncate $T/ten/ 0; $P truncate $T/ten/x 0; $P truncate $T/loop1 0; $P truncate $T/ten -1; $P truncate $T/dangling 0'
conform "ftruncate of a read-only descriptor is EINVAL; of a descriptor for writing it works" \
	'$P ftruncate-r $T/ten 2; $P ftruncate-w $T/ten 3 && cat $T/ten'
conform "truncate(1) -s of a read-only file" \
	'truncate -s 3 $T/hello.txt && cat $T/hello.txt && truncate -s +2 $T/hello.txt && od -An -c $T/hello.txt'

# --- extended attributes -----------------------------------------------------
if "$RW_PROBE" getxattr "$RO/ten" user.old >/dev/null; then
	conform "setxattr on a read-only file keeps the attributes it had" \
		'$P setxattr $T/ten user.new value && $P getxattr $T/ten user.new && $P getxattr $T/ten user.old && $P listxattr $T/ten && cat $T/ten'
	conform "removexattr of a read-only file's attribute; of one it lacks: ENODATA" \
		'$P removexattr $T/ten user.old && $P listxattr $T/ten; $P getxattr $T/ten user.old; $P removexattr $T/hello.txt user.none'
	conform "XATTR_CREATE and XATTR_REPLACE on a read-only file" \
		'$P setxattr $T/ten user.old x create; $P setxattr $T/ten user.none x replace; $P setxattr $T/ten user.old replaced replace && $P getxattr $T/ten user.old'
	conform "lsetxattr and lremovexattr through links; fsetxattr and fremovexattr on a read-only descriptor" \
		'$P lsetxattr $T/link-to-hello user.x 1; $P setxattr $T/link-to-hello user.via link && $P getxattr $T/hello.txt user.via && $P lgetxattr $T/hello.txt user.via; $P fsetxattr $T/log.txt user.f fd && $P getxattr $T/log.txt user.f && $P fremovexattr $T/log.txt user.f && $P listxattr $T/log.txt'
	conform "xattrs of a read-only folder: set, list, and its entries stay" \
		'$P setxattr $T/sub user.more 2 && $P listxattr $T/sub && $P getxattr $T/sub user.dir && ls $T/sub'
	conform "xattr errors: ENOENT, ENOTDIR, ELOOP, a dangling link" \
		'$P setxattr $T/none user.a 1; $P setxattr $T/ten/x user.a 1; $P setxattr $T/loop1 user.a 1; $P setxattr $T/dangling user.a 1; $P removexattr $T/none user.a; $P getxattr $T/none user.a; $P listxattr $T/loop1'
	conform "chmod of a file with xattrs keeps them" \
		'$P chmod $T/ten 0600 && $P listxattr $T/ten && $P getxattr $T/ten user.old'
	conform "xattrs of a file made in the overlay" \
		'echo n > $T/sub/n && $P setxattr $T/sub/n user.a b && $P getxattr $T/sub/n user.a && $P listxattr $T/sub/n'
else
	for i in 1 2 3 4 5 6 7 8; do
		skip "the lower's tmpfs takes no user.* xattrs (Linux before 6.6)"
	done
fi

# --- where nothing is redirected ---------------------------------------------
printf 'w\n' >"$RW/w.txt"
capture shim "$RW_PROBE" chmod "$RW/w.txt" 0600
is "$OUT:$(stat -c %a "$RW/w.txt")" "ok:600" "chmod in a writable folder changes the real file"
capture shim "$RW_PROBE" chmod /proc/self/nope 0600
is "$OUT" ENOENT "chmod under /proc is never redirected"
