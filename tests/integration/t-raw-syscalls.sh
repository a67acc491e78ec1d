#!/bin/bash
# SPDX-License-Identifier: MIT
# t-raw-syscalls.sh - path system calls made through libc's syscall()
# (open, openat, openat2 with RESOLVE_* flags, statx, stat, faccessat2,
# mkdirat, unlinkat, renameat2, getdents64, getcwd) see and change the
# merged view as the libc functions do, and give what they give on a
# writable copy; io_uring_setup answers ENOSYS so runtimes fall back.
lower_extra() {
	ln -s loop2 "$1/loop1"
	ln -s loop1 "$1/loop2"
}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conform.sh"

W=${RW_PROBE%/*}/rw_walk
[ -x "$W" ] || bail_out "rw_walk not built: $W"
export W
plan 17

is "$("$W" syscall-openat-w "$RO/new.txt" x)" EROFS "without rwshim syscall(SYS_openat, O_CREAT) in the read-only tree fails with EROFS"

# Changes every run makes first: a folder and a file only the overlay has,
# links in it, a deleted file.
C='mkdir -p $T/new/inner && echo n > $T/new/inner/n && ln -s inner/n $T/new/nl &&
ln -s ../../hello.txt $T/new/inner/out && echo added > $T/sub/added && rm $T/sub/file.txt;'

conform "syscall(SYS_openat, O_CREAT) writes into the read-only tree; SYS_open reads it back" \
	'$W syscall-openat-w $T/raw.txt raw && $W syscall-open $T/raw.txt && cat $T/raw.txt; $W syscall-openat-w $T/sub/deep/raw2 x && cat $T/sub/deep/raw2'
conform "syscall(SYS_open) of lower, new and deleted files; errors" \
	"$C"' $W syscall-open $T/hello.txt; $W syscall-open $T/new/inner/n; $W syscall-open $T/sub/file.txt; $W syscall-open $T/new/nl; $W syscall-open $T/loop1; $W syscall-open $T/hello.txt/x; $W syscall-openat-w $T/none/x y'
conform "syscall(SYS_statx) and syscall(SYS_newfstatat) see the merged view" \
	"$C"' for p in hello.txt new new/inner/n new/nl sub/added sub/file.txt sub none/x hello.txt/x; do $W syscall-statx $T/$p; $W syscall-stat $T/$p; done'
conform "syscall(SYS_faccessat2, W_OK) says what a write would do" \
	"$C"' $W syscall-faccessat2 $T/hello.txt; $W syscall-faccessat2 $T/new/inner/n; $W syscall-faccessat2 $T/sub/file.txt; $W syscall-faccessat2 $T/sub'
conform "syscall(SYS_mkdirat) and syscall(SYS_unlinkat): results and errors" \
	"$C"' $W syscall-mkdirat $T/sub/m && ls $T/sub; $W syscall-mkdirat $T/sub/added; $W syscall-mkdirat $T/none/m; $W syscall-unlinkat $T/hello.txt && ls $T; $W syscall-unlinkat $T/sub/m dir; $W syscall-unlinkat $T/sub dir; $W syscall-unlinkat $T/sub/file.txt; $W syscall-unlinkat $T/empty dir && ls $T'
conform "syscall(SYS_renameat2): plain, RENAME_NOREPLACE, errors" \
	"$C"' $W syscall-renameat2 $T/hello.txt $T/sub/h && cat $T/sub/h && ls $T; $W syscall-renameat2 $T/log.txt $T/sub/added noreplace; $W syscall-renameat2 $T/new $T/moved && ls $T/moved/inner; $W syscall-renameat2 $T/none $T/x'
conform "syscall(SYS_openat2) without RESOLVE_* flags opens and creates" \
	"$C"' $W syscall-openat2 $T new/inner/n -; $W syscall-openat2 $T/new nl -; $W syscall-openat2 $T sub/file.txt -; $W syscall-openat2-w $T/sub o2 - && cat $T/sub/o2'
conform "syscall(SYS_openat2) with RESOLVE_NO_SYMLINKS refuses links with ELOOP" \
	"$C"' $W syscall-openat2 $T/new inner/n S; $W syscall-openat2 $T/new nl S; $W syscall-openat2 $T link-to-hello S; $W syscall-openat2 $T sub/added S'
conform "syscall(SYS_openat2) with RESOLVE_BENEATH: inside, '..' above, absolute" \
	"$C"' $W syscall-openat2 $T/new inner/n B; $W syscall-openat2 $T/new ../hello.txt B; $W syscall-openat2 $T/new inner/../inner/n B; $W syscall-openat2 $T/new $T/hello.txt B; $W syscall-openat2-w $T/new made B && cat $T/new/made; $W syscall-openat2 $T/sub added B; $W syscall-openat2-w $T/conf made S && cat $T/conf/made; $W syscall-openat2-w $T/bin ../made B'
conform "syscall(SYS_openat2) with RESOLVE_NO_MAGICLINKS, and bad arguments" \
	"$C"' $W syscall-openat2 $T/new inner/n M; $W syscall-openat2-bad $T/new/inner/n; $W syscall-openat2-bad $T/hello.txt'
conform "syscall(SYS_getdents64) lists a changed folder merged" \
	"$C"' $W syscall-getdents $T/sub | sort; $W syscall-getdents $T/new | sort'
conform "syscall(SYS_getcwd) in a folder that only the overlay has" \
	"$C"' for d in $T/new/inner $T/sub; do cd $d && $W syscall-getcwd | awk '"'"'{ print $1, ($2 == length($3) + 1 ? "length with the NUL" : "length " $2), $3 }'"'"'; done'

capture shim sh -c "mkdir -p '$RO/new' && '$W' syscall-openat2 '$RO/new' x R"
is "$OUT" "ENOSYS" "RESOLVE_IN_ROOT in a changed folder answers ENOSYS (callers fall back to openat)"

capture shim sh -c "mkdir -p '$RO/new/in' && echo n > '$RO/new/in/n' && ln -s in/n '$RO/new/l' && '$W' syscall-openat2 '$RO/new' l B"
is "$OUT" "ENOSYS" "RESOLVE_BENEATH through a link in a changed folder answers ENOSYS"

capture shim "$W" syscall-io_uring_setup
is "$OUT" "ENOSYS" "syscall(SYS_io_uring_setup) answers ENOSYS"

capture shim sh -c "'$W' syscall-getpid; '$W' syscall-stat /proc/self"
is "$OUT" "ok
ok d0555" "other system calls pass through"
