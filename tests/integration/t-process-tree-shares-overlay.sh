#!/bin/bash
# SPDX-License-Identifier: MIT
# t-process-tree-shares-overlay.sh - every process of the tree sees one
# overlay at once: children read what the parent wrote, and a shell that ran
# a writer child sees the file in its own next command.
. "$(dirname "$0")/lib.sh"
plan 7

capture shim sh -c "echo from-parent > '$RO/p'; sh -c 'cat $RO/p'"
is "$OUT" "from-parent" "a child reads what its parent wrote"

capture shim sh -c "'$RW_PROBE' open-w '$RO/a' from-child >/dev/null; cat '$RO/a'"
is "$OUT" "from-child" "a shell that ran a writer child sees the file in its next command"

capture shim sh -c "'$RW_PROBE' open-w '$RO/b' builtin-read >/dev/null; read l < '$RO/b'; echo \$l; test -e '$RO/b' && echo exists"
is "$OUT" "builtin-read
exists" "the shell itself (started before the first write) opens and stats the child's file"

capture shim sh -c "sh -c 'sh -c \"echo deep > $RO/g\"'; cat '$RO/g'; ls '$RO' | grep -c '^g\$'"
is "$OUT" "deep
1" "the grandparent reads and lists what a grandchild wrote"

capture shim sh -c "echo one > '$RO/s1' & echo two > '$RO/s2' & wait; cat '$RO/s1' '$RO/s2'"
is "$OUT" "one
two" "sibling writers in the background both land in one view"

capture shim sh -c "rm '$RO/victim.txt'; sh -c 'cat $RO/victim.txt 2>&1; ls $RO | grep -c victim'"
like "$OUT" 'No such file or directory
0$' "a child does not see a file its parent deleted"

capture shim sh -c "'$RW_PROBE' open-w '$RO/c' v1 >/dev/null; sh -c 'echo v2 > $RO/c'; cat '$RO/c'; '$RW_PROBE' open-a '$RO/c' v3 >/dev/null; cat '$RO/c'"
is "$OUT" "v2
v2
v3" "parent and children keep updating the same file"
