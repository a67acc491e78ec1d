#!/bin/bash
# SPDX-License-Identifier: MIT
# t-at-calls.sh - the *at() calls with a directory fd opened on a read-only
# folder see and change the merged view like their path-taking siblings.
. "$(dirname "$0")/lib.sh"
plan 14

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

# A descriptor follows its folder when someone outside the tree renames it:
# the *at calls after that act where the folder now is. Here the folder moves
# into a protected path (RWSHIM_PATHS), so a write through the descriptor
# must now be redirected, not land in the real folder.
mkdir "$RW/q" "$WORK/sync"
mkfifo "$WORK/sync/ready" "$WORK/sync/go"
cat >"$WORK/held-fd.py" <<'PY'
import os, sys
rw, sync = sys.argv[1], sys.argv[2]
fd = os.open(rw + "/q", os.O_RDONLY | os.O_DIRECTORY)
os.close(os.open("a", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
open(sync + "/ready", "w").close()
open(sync + "/go").read()
os.close(os.open("b", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
print(" ".join(sorted(os.listdir(rw + "/p"))), os.path.exists(rw + "/q"))
PY
RWSHIM_PATHS="$RW/p" "$RWSHIM_BIN" -- sh -c "echo live > '$RO/live'; python3 '$WORK/held-fd.py' '$RW' '$WORK/sync'" >"$WORK/held.out" 2>&1 &
pid=$!
cat "$WORK/sync/ready" >/dev/null
mv "$RW/q" "$RW/p"
: >"$WORK/sync/go"
wait "$pid"
is "$(cat "$WORK/held.out")" "a b False" "a held folder descriptor follows its folder's rename by another process"
is "$(ls "$RW/p" | tr '\n' ' ')" "a " "the write after the rename, now in a protected path, was redirected, not made for real"
