#!/bin/bash
# SPDX-License-Identifier: MIT
# t-small-stacks.sh - the library never needs a large stack:
#  - mv of a read-only folder 900 levels deep (copy-up of the whole tree,
#    no recursion per level) gives what the same mv gives on a writable copy;
#  - the common hooks (create in a read-only folder, open of an overlay file,
#    copy-up by append, stat, mkdir, rename of a file and of a folder with
#    read-only content, unlink, a merged listing, chdir) work in a thread
#    with a 64 KiB stack, and in a signal handler on a 64 KiB alternate
#    stack (helper rw_smallstack, one process per call), and the same at
#    32 KiB. The two renames still need more than a 32 KiB thread has
#    (docs/ROBUSTNESS.md, "Stack use per hook"): at 32 KiB they, and what
#    depends on their result (the listing's count, the changes checked
#    afterwards), are reported as TODO.
DEPTH=900
deep_tree() { # deep_tree DIR: DIR/d/d/.../d/file.txt, DEPTH levels of d
	local p=$1/deep i
	for ((i = 0; i < DEPTH; i++)); do p=$p/d; done
	mkdir -p "$p" && printf 'bottom\n' >"$p/file.txt" && printf 'top\n' >"$1/deep/top.txt"
}
small_tree() { # small_tree DIR: what the small-stack calls work on
	mkdir -p "$1/sub" && printf 'lower\n' >"$1/lower.txt" && printf 'gone\n' >"$1/gone.txt" &&
		printf 'a\n' >"$1/sub/a.txt"
}
lower_extra() {
	deep_tree "$1" && small_tree "$1/thread65536" && small_tree "$1/signal65536" &&
		small_tree "$1/thread32768" && small_tree "$1/signal32768"
}
. "$(dirname "$0")/lib.sh"
plan 47

S=${RW_PROBE%/*}/rw_smallstack
bottom=deep-moved
for ((i = 0; i < DEPTH; i++)); do bottom=$bottom/d; done

# --- 900 levels: the same mv on a writable copy is the reference -----------
# (The moved tree is counted in the overlay kept with --keep: a find through
# the merged view of 900 opaque levels takes a minute.)
deep_tree "$RW" || bail_out "cannot make the writable deep tree"
want=$(cd "$RW" && mv deep deep-moved && find deep-moved -type d | wc -l &&
	find deep-moved -type f | wc -l && cat "$bottom/file.txt" deep-moved/top.txt)
capture timeout 60 "$RWSHIM_BIN" --keep="$WORK/kept" -- sh -c 'cd "$1" && mv deep deep-moved &&
	cat "$2/file.txt" deep-moved/top.txt && test ! -e deep' sh "$RO" "$bottom"
is "$RC" 0 "mv of a $DEPTH-deep read-only folder succeeds"
K=$WORK/kept$RO/deep-moved
got=$( (find "$K" -type d | wc -l && find "$K" -type f ! -name '.wh.*' | wc -l) 2>&1; echo "$OUT")
is "$got" "$want" "the moved tree has every level and the deepest file's content, as on a writable copy"
rm -rf "$WORK/kept"
assert_storage_empty "the storage is removed after the deep mv"

# --- small stacks ------------------------------------------------------------
for run in thread:65536 signal:65536 thread:32768 signal:32768; do
	mode=${run%:*} size=${run#*:}
	D=$RO/$mode$size
	todo=
	[ "$size" = 32768 ] && todo=" # TODO rename does not fit 32 KiB yet"
	capture timeout 60 "$RWSHIM_BIN" -- sh -c '"$1" -m $2 -s $4 \
		creat:$3/new.txt open:$3/new.txt append:$3/lower.txt stat:$3/new.txt \
		mkdir:$3/newdir rename:$3/new.txt:$3/newdir/moved.txt rename:$3/sub:$3/sub2 \
		unlink:$3/gone.txt readdir:$3 chdir:$3/newdir
		echo "-- $?"; cd "$3" && cat lower.txt newdir/moved.txt sub2/a.txt && ls' sh "$S" $mode "$D" $size
	diag "$mode, $size bytes:" "$OUT"
	for op in creat open append stat mkdir rename unlink readdir chdir; do
		got=$(printf '%s\n' "$OUT" | grep "^$op " | sed 's/ used=[0-9]*//' | tr '\n' ';')
		case $op in
		rename) want='rename ok;rename ok;' ;;
		readdir) want='readdir ok n=5;' ;; # . .. lower.txt newdir sub2
		chdir) want="chdir ok cwd=$D/newdir;" ;;
		*) want="$op ok;" ;;
		esac
		t=
		case $op in rename | readdir) t=$todo ;; esac # readdir counts rename's result
		is "$got" "$want" "$mode on a $size-byte stack: $op$t"
	done
	is "${OUT#*-- }" "$(printf '0\nlower\nxxa\nlower.txt\nnewdir\nsub2')" \
		"$mode, $size bytes: the calls' changes are all there afterwards$todo"
	assert_storage_empty "$mode, $size bytes: the storage is removed after the run"
done
