#!/bin/bash
# SPDX-License-Identifier: MIT
# t-at-calls.sh - the *at() calls with a directory fd opened on a read-only
# folder see and change the merged view like their path-taking siblings.
. "$(dirname "$0")/lib.sh"
plan 12

is "$(probe openat-w "$RO/sub" at.txt x)" EROFS "without rwshim openat(dirfd, O_CREAT) fails with EROFS"

capture shim "$RW_PROBE" openat-w "$RO/sub" at.txt "via openat"
is "$OUT" ok "openat(dirfd, O_CREAT) in a read-only folder succeeds"

capture shim sh -c "'$RW_PROBE' openat-w '$RO/sub' at.txt 'via openat' >/dev/null; '$RW_PROBE' openat '$RO/sub' at.txt; echo; cat '$RO/sub/at.txt'"
is "$OUT" "ok
via openat
via openat" "openat reads it back, and so does a path-based open"

capture shim "$RW_PROBE" openat "$RO" sub/deep/file.txt
is "$OUT" "ok
deep content" "openat of a lower file through a dirfd"

capture shim sh -c "'$RW_PROBE' openat-w '$RO/sub' at.txt 12345 >/dev/null; '$RW_PROBE' fstatat '$RO/sub' at.txt"
is "$OUT" "ok 5" "fstatat sees the new file's size"

capture shim "$RW_PROBE" faccessat-w "$RO/sub" file.txt
is "$OUT" ok "faccessat(W_OK) on a read-only file reports that a write would now succeed"

capture shim sh -c "'$RW_PROBE' mkdirat '$RO/sub' newdir && test -d '$RO/sub/newdir' && echo isdir"
is "$OUT" "ok
isdir" "mkdirat makes a folder in the view"

capture shim sh -c "'$RW_PROBE' unlinkat '$RO/sub' file.txt && '$RW_PROBE' stat '$RO/sub/file.txt'"
is "$OUT" "ok
ENOENT" "unlinkat removes a read-only file from the view"

capture shim sh -c "'$RW_PROBE' renameat '$RO/sub' file.txt moved.txt && cat '$RO/sub/moved.txt' && '$RW_PROBE' stat '$RO/sub/file.txt'"
is "$OUT" "ok
sub content
ENOENT" "renameat moves a read-only file within the view"

capture shim sh -c "touch '$RO/sub/new' && '$RW_PROBE' fdopendir '$RO/sub'"
is "$OUT" "ok
deep
file.txt
new" "fdopendir lists the merged folder"

capture shim sh -c "touch '$RO/sub/new' && rm '$RO/sub/file.txt' && '$RW_PROBE' readdir '$RO/sub'"
is "$OUT" "ok
deep
new" "opendir/readdir list the merged folder without deleted entries"

capture shim "$RW_PROBE" access-w "$RO/hello.txt"
is "$OUT" ok "access(W_OK) on a read-only file reports that a write would now succeed"
