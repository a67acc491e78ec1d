#!/bin/bash
# SPDX-License-Identifier: MIT
# t-command-options.sh - the options issue 2 makes work: --tmpdir, --paths,
# --exclude, --scope, --keep, --help.
. "$(dirname "$0")/lib.sh"
plan 14

mkdir -p "$RW/other-tmp"
capture "$RWSHIM_BIN" --tmpdir "$RW/other-tmp" -- sh -c "echo t > '$RO/t'; cat '$RO/t'; ls -A '$RW/other-tmp' | wc -l"
is "$(printf '%s\n' "$OUT" | head -1)" "t" "--tmpdir DIR: the tree writes and reads back"
isnt "$(printf '%s\n' "$OUT" | tail -1)" 0 "the storage is made under DIR"
is "$(ls -A "$RW/other-tmp")" "" "and removed from DIR after exit"

capture "$RWSHIM_BIN" --tmpdir relative -- true
is "$RC:$(lines "$ERR")" "125:1" "--tmpdir with a relative path exits 125 with one line"

mkdir -p "$RW/protected"
echo original >"$RW/protected/keep.txt"
capture "$RWSHIM_BIN" --paths "$RW/protected" -- sh -c "echo changed > '$RW/protected/keep.txt'; echo new > '$RW/protected/new.txt'; cat '$RW/protected/keep.txt' '$RW/protected/new.txt'"
is "$OUT" "changed
new" "--paths P: writes under a writable P are redirected and read back"
is "$(cat "$RW/protected/keep.txt"):$(ls "$RW/protected")" "original:keep.txt" "and P is untouched after exit"

capture "$RWSHIM_BIN" --exclude "$RO/sub" -- sh -c "echo a > '$RO/a' && cat '$RO/a'; echo b > '$RO/sub/b'"
is "$(printf '%s\n' "$OUT" | head -1)" "a" "--exclude P: writes elsewhere are redirected"
like "$ERR" 'Read-only file system' "writes under P fail with EROFS as they would"

capture "$RWSHIM_BIN" --scope process -- sh -c "echo mine > '$RO/p'; read l < '$RO/p'; echo \$l"
is "$OUT:$RC" "mine:0" "--scope process: a process reads back its own write"

capture "$RWSHIM_BIN" --keep="$WORK/kept" -- sh -c "echo kept > '$RO/k'; rm '$RO/victim.txt'"
is "$RC" 0 "--keep=DIR runs the command"
is "$(find "$WORK/kept" -type f -name k -exec cat {} \; 2>/dev/null)" "kept" "the overlay is kept at DIR with the written file"
like "$ERR" "$WORK/kept" "and rwshim says where"
rm -rf "$WORK/kept"

capture "$RWSHIM_BIN" --help
is "$RC" 0 "--help exits 0"
like "$OUT" "--tmpdir" "--help lists the options"
