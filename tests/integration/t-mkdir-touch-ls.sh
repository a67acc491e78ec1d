#!/bin/bash
# SPDX-License-Identifier: MIT
# t-mkdir-touch-ls.sh - mkdir -p and touch in a read-only tree; ls shows the
# old and the new entries together.
. "$(dirname "$0")/lib.sh"
plan 9

capture mkdir "$RO/nope"
like "$ERR" 'Read-only file system' "without rwshim mkdir fails with EROFS"

capture shim sh -c "mkdir -p '$RO/new/a/b' && touch '$RO/new/a/b/f' '$RO/top.txt' && ls '$RO'"
is "$OUT" "bin
conf
empty
hello.txt
link-to-hello
log.txt
new
sub
top.txt
victim.txt" "ls of the top shows old and new entries"
is "$RC" 0 "mkdir -p, touch and ls exit 0"

capture shim sh -c "mkdir -p '$RO/new/a/b' && touch '$RO/new/a/b/f' && ls '$RO/new/a/b' && test -d '$RO/new/a' && echo isdir"
is "$OUT" "f
isdir" "the new folders are folders and hold the new file"

capture shim sh -c "mkdir '$RO/sub/newdir' && touch '$RO/sub/new.txt' && ls '$RO/sub'"
is "$OUT" "deep
file.txt
new.txt
newdir" "a lower folder lists its old entries merged with the new ones"

capture shim sh -c "mkdir -p '$RO/sub/deep' && echo ok"
is "$OUT:$RC" "ok:0" "mkdir -p of an existing lower folder succeeds"

capture shim "$RW_PROBE" mkdir "$RO/sub"
is "$OUT" EEXIST "mkdir of an existing lower folder fails with EEXIST"

capture shim sh -c "touch '$RO/hello.txt' && cat '$RO/hello.txt'"
is "$OUT:$RC" "hello from the lower:0" "touch of an existing read-only file keeps its content"

capture shim sh -c "mkdir '$RO/empty/x' && ls -A '$RO/empty'"
is "$OUT" "x" "an empty lower folder shows the new entry"
