#!/bin/bash
# SPDX-License-Identifier: MIT
# t-realpath-and-names.sh - realpath (both symbol versions), __realpath_chk,
# canonicalize_file_name, readlink -f and realpath(1) resolve names through
# the merged view: links and folders the overlay made, deleted entries, the
# errors (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG) of a writable copy, and never
# a storage path, not even through /proc/self/cwd or /proc/self/fd/N.
lower_extra() {
	ln -s loop2 "$1/loop1"
	ln -s loop1 "$1/loop2"
	ln -s sub "$1/link-to-sub"
}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conform.sh"

W=${RW_PROBE%/*}/rw_walk
[ -x "$W" ] || bail_out "rw_walk not built: $W"
export W
long=$(printf 'n%.0s' $(seq 1 256))
export long
plan 14

is "$(probe mkdir "$RO/new")" EROFS "without rwshim mkdir in the read-only tree fails with EROFS"

C='mkdir -p $T/new/inner && echo n > $T/new/inner/n && ln -s inner $T/new/li &&
ln -s ../hello.txt $T/new/up && ln -s new/li $T/chain && echo a > $T/sub/added &&
rm $T/sub/file.txt && rm -r $T/sub/deep && mkdir $T/sub/deep && ln -s nowhere $T/new/dangling;'

conform "realpath of lower entries and lower links" \
	"$C"' for p in hello.txt link-to-hello link-to-sub link-to-sub/added sub/./deep/../added /sub //sub/ .; do $W realpath $T/$p; done'
conform "realpath of what only the overlay has: folders, files, links into either layer" \
	"$C"' for p in new new/inner/n new/li new/li/n new/up chain chain/n chain/../up sub/deep; do $W realpath $T/$p; done'
conform "realpath errors: deleted, missing, ENOTDIR, dangling, ELOOP, ENAMETOOLONG" \
	"$C"' for p in sub/file.txt sub/deep/file.txt none/x new/none hello.txt/x hello.txt/ new/inner/n/ new/dangling loop1 loop1/x new/$long $long/x; do $W realpath $T/$p; done'
conform "realpath of relative paths after cd into a folder only the overlay has" \
	"$C"' cd $T/new/inner && $W realpath n && $W realpath ../up && $W realpath . && $W realpath ../../sub/added; $W realpath gone'
conform "realpath with NULL, __realpath_chk, canonicalize_file_name" \
	"$C"' for p in new/li/n hello.txt sub/file.txt; do $W realpath-null $T/$p; $W realpath-chk $T/$p; $W canonicalize $T/$p; done'
conform "realpath@GLIBC_2.2.5: the same names, and EINVAL without a buffer" \
	"$C"' $W realpath-v1 $T/chain/n; $W realpath-v1 $T/sub/file.txt; $W realpath-v1 $T/hello.txt'
conform "realpath of /proc/self/cwd and /proc/self/fd/N never names the storage" \
	"$C"' cd $T/new/inner && $W realpath /proc/self/cwd && $W realpath /proc/self/cwd/n; exec 3<$T/new/inner/n && $W realpath /proc/self/fd/3'
conform "readlink -f and realpath(1) on overlay paths" \
	"$C"' cd $T && readlink -f chain/n; readlink -f new/up; readlink -f sub/file.txt; readlink -e sub/file.txt; realpath new/li; realpath -e sub/added; realpath -e sub/file.txt; realpath -m new/none/x; realpath --relative-to=$T/sub chain/n'
conform "realpath through a lower link into a folder made again" \
	"$C"' $W realpath $T/link-to-sub/deep; $W realpath $T/link-to-sub/deep/..; $W realpath $T/link-to-sub/../new/li/../up; ls $T/sub/deep'
conform "canonicalize_file_name after rename and delete in the overlay" \
	"$C"' mv $T/new/inner $T/new/moved && $W canonicalize $T/new/moved/n; $W canonicalize $T/new/li; $W canonicalize $T/chain/n'

capture shim sh -c "mkdir -p '$RO/made' && cd '$RO/made' && '$W' realpath . && '$W' realpath /proc/self/cwd"
is "$OUT" "ok $RO/made
ok $RO/made" "realpath in a folder only the overlay has names it, not the storage"
isnt "$(printf '%s' "$OUT" | grep -c "$STORE")" "1" "no storage path in the answers"

capture shim sh -c "touch '$RO/sub/x' && '$W' realpath '$RO/sub/x' && '$W' realpath '$RO/link-to-sub/x'"
is "$OUT" "ok $RO/sub/x
ok $RO/sub/x" "realpath resolves a new file reached through a lower link"
