#!/bin/bash
# SPDX-License-Identifier: MIT
# t-writable-folders-untouched.sh - writes that succeed on the real
# filesystem are left alone: they land for real and stay after exit.
. "$(dirname "$0")/lib.sh"
plan 7

capture shim sh -c "echo real > '$RW/real.txt' && mkdir -p '$RW/dir/sub' && echo inner > '$RW/dir/sub/f' && echo ro > '$RO/ro.txt' && cat '$RW/real.txt' '$RO/ro.txt'"
is "$OUT:$RC" "real
ro:0" "one tree writes to a writable and a read-only folder"
is "$(cat "$RW/real.txt" 2>&1)" "real" "the writable folder's file is there after exit"
is "$(cat "$RW/dir/sub/f" 2>&1)" "inner" "and so are its new folders and their files"
is "$(probe stat "$RO/ro.txt")" "ENOENT" "the read-only folder's file is not"

echo before >"$RW/existing"
capture shim sh -c "echo after >> '$RW/existing'; rm '$RW/real.txt'; mv '$RW/dir' '$RW/dir2'"
is "$(cat "$RW/existing")" "before
after" "an append to a writable file is real"
is "$(ls "$RW")" "dir2
existing" "rm and mv in a writable folder are real"

capture preload sh -c "echo preload > '$RW/preload.txt'"
is "$(cat "$RW/preload.txt" 2>&1)" "preload" "under plain LD_PRELOAD too"
