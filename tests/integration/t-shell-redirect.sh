#!/bin/bash
# SPDX-License-Identifier: MIT
# t-shell-redirect.sh - shell redirection into a read-only folder creates a
# file the same shell reads back; nothing reaches the lower, nothing stays in
# the storage folder once rwshim returns.
. "$(dirname "$0")/lib.sh"
plan 12

capture sh -c "echo hi > '$RO/x'"
like "$ERR" 'Read-only file system' "without rwshim the redirection fails with EROFS"

capture shim sh -c "echo hi > '$RO/x' && cat '$RO/x'"
is "$OUT" "hi" "rwshim -- sh -c 'echo hi > /ro/x && cat /ro/x' prints hi"
is "$RC" 0 "and exits 0"
is "$ERR" "" "and says nothing on stderr"
is "$(storage_listing "$STORE")" "" "the storage folder is empty as soon as rwshim returns"
is "$(probe stat "$RO/x")" ENOENT "the file is not on the read-only filesystem afterwards"

capture shim sh -c "echo replaced > '$RO/hello.txt'; cat '$RO/hello.txt'"
is "$OUT" "replaced" "'>' over an existing read-only file replaces its content in the view"
is "$(cat "$RO/hello.txt")" "hello from the lower" "the lower file keeps its content"

capture shim cat "$RO/sub/deep/file.txt"
is "$OUT:$RC" "deep content:0" "unchanged lower files read through the shim as they are"

capture shim sh -c "printf 'a\nb\n' > '$RO/sub/two-lines'; wc -l < '$RO/sub/two-lines'; cat '$RO/sub/two-lines'"
is "$OUT" "2
a
b" "a new file in an existing lower subfolder reads back whole"

capture shim sh -c "echo one > '$RO/n'; echo two > '$RO/n'; cat '$RO/n'"
is "$OUT" "two" "a second '>' onto a redirected file truncates it"

capture shim sh -c "cat '$RO/missing' 2>&1; echo rc=\$?"
like "$OUT" 'No such file or directory' "a missing file is still missing under the shim"
