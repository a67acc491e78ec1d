#!/bin/bash
# SPDX-License-Identifier: MIT
# t-rm-readonly-file.sh - rm of a read-only file: gone for ls, cat and stat in
# the same tree; can be made again; rmdir and rm -r of lower folders.
. "$(dirname "$0")/lib.sh"
plan 12

capture rm "$RO/victim.txt"
like "$ERR" 'Read-only file system' "without rwshim rm fails with EROFS"

capture shim sh -c "rm '$RO/victim.txt' && echo removed"
is "$OUT:$RC" "removed:0" "rm of a read-only file succeeds"

capture shim sh -c "rm '$RO/victim.txt' && ls '$RO'"
is "$OUT" "bin
conf
empty
hello.txt
link-to-hello
log.txt
sub" "ls no longer lists it"

capture shim sh -c "rm '$RO/victim.txt' && cat '$RO/victim.txt'"
like "$ERR" 'No such file or directory' "cat says No such file or directory"
isnt "$RC" 0 "and cat exits non-zero"

capture shim sh -c "rm '$RO/victim.txt' && stat '$RO/victim.txt'"
like "$ERR" 'No such file or directory' "stat says No such file or directory"

capture shim sh -c "rm '$RO/victim.txt' && '$RW_PROBE' stat '$RO/victim.txt'; '$RW_PROBE' lstat '$RO/victim.txt'; '$RW_PROBE' open-r '$RO/victim.txt'"
is "$OUT" "ENOENT
ENOENT
ENOENT" "stat, lstat and open give ENOENT"

capture shim sh -c "rm '$RO/victim.txt' && echo again > '$RO/victim.txt' && cat '$RO/victim.txt'"
is "$OUT" "again" "a deleted file can be made again with new content"

capture shim sh -c "rmdir '$RO/empty' && ls '$RO' | grep -c '^empty\$'; test -e '$RO/empty' || echo gone"
is "$OUT" "0
gone" "rmdir of an empty read-only folder removes it from the view"

capture shim sh -c "rm -r '$RO/sub' && ls '$RO' | grep -c '^sub\$'; ls '$RO/sub/deep/file.txt' 2>&1"
like "$OUT" '^0
.*No such file or directory' "rm -r of a read-only folder tree removes it from the view"

capture shim sh -c "rm -r '$RO/sub' && mkdir '$RO/sub' && ls -A '$RO/sub'"
is "$OUT:$RC" ":0" "a folder made again where a lower folder was deleted is empty"

capture shim sh -c "rm '$RO/link-to-hello' && cat '$RO/hello.txt' && test ! -e '$RO/link-to-hello' && test ! -L '$RO/link-to-hello' && echo nolink"
is "$OUT" "hello from the lower
nolink" "rm of a symlink removes the link, not its target"
