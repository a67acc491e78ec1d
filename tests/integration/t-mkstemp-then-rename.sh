#!/bin/bash
# SPDX-License-Identifier: MIT
# t-mkstemp-then-rename.sh - the write-a-temp-file-then-rename pattern of
# editors and package managers, and renames of read-only files and folders.
. "$(dirname "$0")/lib.sh"
plan 9

is "$(probe mkstemp "$RO/conf/.tmpXXXXXX")" EROFS "without rwshim mkstemp in a read-only folder fails with EROFS"

capture shim "$RW_PROBE" mkstemp "$RO/conf/.tmpXXXXXX" "key=tmp"
like "$OUT" "^ok $RO/conf/\\.tmp[A-Za-z0-9]{6}\$" "mkstemp in a read-only folder returns a name there"

capture shim sh -c "t=\$('$RW_PROBE' mkstemp '$RO/conf/.tmpXXXXXX' 'key=tmp
') && t=\${t#ok } && stat -c %a \"\$t\" && '$RW_PROBE' rename \"\$t\" '$RO/conf/app.conf' && cat '$RO/conf/app.conf' && ls -A '$RO/conf'"
is "$OUT" "600
ok
key=tmp
app.conf" "mkstemp (mode 0600), then rename over a read-only file replaces it; no temp file is left"

capture shim sh -c "mv '$RO/hello.txt' '$RO/hello2.txt' && cat '$RO/hello2.txt' && ls '$RO' | grep -c '^hello'"
is "$OUT" "hello from the lower
1" "mv of a read-only file: the new name has the content, the old one is gone"

capture shim sh -c "echo n > '$RO/new.txt' && mv '$RO/new.txt' '$RO/sub/deep/new.txt' && cat '$RO/sub/deep/new.txt' && test ! -e '$RO/new.txt' && echo moved"
is "$OUT" "n
moved" "mv of a new file into another read-only folder"

capture shim sh -c "mv '$RO/sub/file.txt' '$RO/conf/' && ls '$RO/conf' '$RO/sub'"
is "$OUT" "$RO/conf:
app.conf
file.txt

$RO/sub:
deep" "mv of a read-only file between read-only folders"

capture shim sh -c "mv '$RO/sub' '$RO/sub2' && ls '$RO/sub2' '$RO/sub2/deep' && test ! -e '$RO/sub' && echo old-gone"
is "$OUT" "$RO/sub2:
deep
file.txt

$RO/sub2/deep:
file.txt
old-gone" "mv of a read-only folder tree renames it, never EXDEV"

capture shim sh -c "echo w > '$RW/w.txt' && mv '$RW/w.txt' '$RO/w.txt' && cat '$RO/w.txt' && test ! -e '$RW/w.txt' && echo left"
is "$OUT" "w
left" "mv from a writable folder into a read-only one"

capture shim sh -c "'$RW_PROBE' mkstemp '$RO/sub/deep/fileXXXXXX' 'x' >/dev/null; ls '$RO/sub/deep' | wc -l"
is "$OUT" "2" "a temp file left by mkstemp shows in the listing"
