#!/bin/bash
# SPDX-License-Identifier: MIT
# t-ld-preload-without-command.sh - the library alone, loaded with
# LD_PRELOAD and configured by the environment, does the whole job; its
# reaper removes the storage shortly after the tree exits.
. "$(dirname "$0")/lib.sh"
plan 10

capture preload sh -c "echo hi > '$RO/x' && cat '$RO/x'"
is "$OUT:$RC:$ERR" "hi:0:" "LD_PRELOAD=librwshim.so sh -c 'echo hi > /ro/x && cat /ro/x' prints hi"
assert_storage_empty "the storage folder is emptied shortly after exit"

capture preload sh -c "echo two >> '$RO/log.txt'; cat '$RO/log.txt'"
is "$OUT" "line one
two" "'>>' keeps the old content"

capture preload sh -c "mkdir -p '$RO/n/m' && touch '$RO/n/m/f' && rm '$RO/victim.txt' && ls '$RO' && ls '$RO/n/m'"
is "$OUT" "bin
conf
empty
hello.txt
link-to-hello
log.txt
n
sub
f" "mkdir -p, touch and rm show in ls"

capture preload sh -c "sed -i s/old/new/ '$RO/conf/app.conf' && cat '$RO/conf/app.conf'"
is "$OUT" "key=new
other=1" "sed -i"

capture preload sh -c "'$RW_PROBE' open-w '$RO/a' child >/dev/null; cat '$RO/a'; echo; read l < '$RO/a'; echo \$l"
is "$OUT" "child
child" "a shell that ran a writer child sees the file"

capture preload sh -c "cd '$RO/sub' && echo rel > rel.txt && cat rel.txt ../hello.txt"
is "$OUT" "rel
hello from the lower" "relative paths after cd"

mkdir -p "$RW/protected"
capture env LD_PRELOAD="$RWSHIM_LIB" RWSHIM_PATHS="$RW/protected" sh -c "echo p > '$RW/protected/f' && cat '$RW/protected/f'"
is "$OUT" "p" "RWSHIM_PATHS protects a writable folder: the write is redirected"
is "$(ls -A "$RW/protected" 2>/dev/null)" "" "and the protected folder holds nothing after exit"

capture env LD_PRELOAD="$RWSHIM_LIB" RWSHIM_EXCLUDE="$RO/sub" sh -c "echo a > '$RO/a'; echo b > '$RO/sub/b'"
like "$ERR" 'Read-only file system' "RWSHIM_EXCLUDE: a write under an excluded folder fails with EROFS"
