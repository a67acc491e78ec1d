#!/bin/bash
# SPDX-License-Identifier: MIT
# t-bad-paths-same-errno.sh - bad paths give the same result and errno under
# rwshim on the read-only tree as the plain call on a writable copy of it:
# empty, longer than PATH_MAX, a name longer than NAME_MAX, ".." above the
# root, symlink loops, a trailing "/" on a file, non-UTF-8 bytes, missing and
# non-folder parents. Once with nothing redirected (the hooks pass through)
# and once with a live overlay in the same folders (the hooks resolve).
lower_extra() {
	ln -s loop2 "$1/loop1" && ln -s loop1 "$1/loop2" && ln -s self "$1/self" || return 1
	printf 'latin-1 name\n' >"$1/caf$(printf '\351').txt"
	mkdir "$1/dir$(printf '\377')" && printf 'inside\n' >"$1/dir$(printf '\377')/f"
}
. "$(dirname "$0")/lib.sh"

P=$RW_PROBE
long=$(printf 'a/%.0s' $(seq 1 2100))x
name=$(printf 'n%.0s' $(seq 1 300))
lat=$(printf 'caf\351.txt')
d8=$(printf 'dir\377')
new8=$(printf 'new\377\376')
# More ".." than any build folder is deep, wherever the checkout lives.
up=$(printf '../%.0s' $(seq 1 64))
# Each case: OP ARGS... on one line; paths relative to the tree's top.
cases=(
	"open-r ''" "open-w ''" "stat ''" "lstat ''" "mkdir ''" "unlink ''" "rmdir ''" "access-w ''"
	"open-r $long" "open-w $long" "stat $long" "mkdir $long" "unlink $long"
	"open-r $name" "open-w $name" "stat $name" "mkdir sub/$name" "open-w sub/$name/x"
	"open-r /../../..__TOP__/hello.txt" "open-a /../../../..__TOP__/log.txt dotdot" "mode ${up%/}__TOP__/sub"
	"open-r loop1" "open-w loop1 x" "stat loop1" "lstat loop1" "stat loop1/x" "mkdir loop1/x" "open-w self/x" "open-r self"
	"open-r hello.txt/" "open-w hello.txt/" "stat hello.txt/" "lstat hello.txt/" "mkdir hello.txt/x" "unlink hello.txt/" "rename hello.txt/ x" "open-w hello.txt/x"
	"open-r $lat" "open-a $lat more" "stat $lat" "open-w $new8 bytes" "open-r $new8" "readdir $d8" "open-w $d8/g x" "readdir $d8"
	"open-w nodir/x" "mkdir nodir/x" "open-excl hello.txt" "rmdir sub" "rmdir hello.txt" "unlink sub" "rename sub sub/deep/in"
	"readdir ."
)
plan $((2 * ${#cases[@]} + 1))

# The same script runs in the writable copy (plainly) and in the lower (under rwshim).
script() {
	local c
	[ "$1" = live ] && printf '%s\n' "echo live > livefile; echo more >> sub/file.txt; mkdir newdir; rm victim.txt"
	for c in "${cases[@]}"; do
		printf '%s\n' "printf '%s => ' '$(printf '%s' "$c" | cut -c1-60 | tr -d '\n' | tr -c '[:print:]' '?')'; eval \"\\\$P $(printf '%s' "$c" | sed "s|__TOP__|\$TOP|g")\" 2>&1 | tr '\n' '|'; echo"
	done
}
for mode in pass live; do
	rm -rf "$RW/copy"
	cp -a "$RO" "$RW/copy"
	script $mode >"$RW/script.$mode"
	want=$(cd "$RW/copy" && TOP=$RW/copy P=$P sh "$RW/script.$mode" 2>&1)
	got=$(cd "$RO" && TOP=$RO P=$P "$RWSHIM_BIN" -- sh "$RW/script.$mode" 2>&1)
	i=0
	while IFS= read -r w; do
		i=$((i + 1))
		g=$(printf '%s\n' "$got" | sed -n "${i}p")
		is "$g" "$w" "$mode: ${w%% => *}: the same result as the plain call on a writable copy"
	done < <(printf '%s\n' "$want" | tail -n ${#cases[@]})
done
assert_storage_empty "the storage is removed after the runs"
