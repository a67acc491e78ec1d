#!/bin/bash
# SPDX-License-Identifier: MIT
# t-append-keeps-old-content.sh - '>>' and O_APPEND onto a read-only file copy
# it up first: the old content stays, the new text follows, the mode is kept.
. "$(dirname "$0")/lib.sh"
plan 7

capture shim sh -c "echo two >> '$RO/log.txt' && cat '$RO/log.txt'"
is "$OUT" "line one
two" "'>>' keeps the old content and appends"
is "$RC" 0 "the shell exits 0"

capture shim sh -c "echo a >> '$RO/log.txt'; echo b >> '$RO/log.txt'; cat '$RO/log.txt'"
is "$OUT" "line one
a
b" "two appends in one tree both land after the old content"

capture shim sh -c "echo extra=2 >> '$RO/conf/app.conf'; stat -c %a '$RO/conf/app.conf'; cat '$RO/conf/app.conf'"
is "$OUT" "640
key=old
other=1
extra=2" "the copied-up file keeps its mode 0640"

capture shim "$RW_PROBE" open-a "$RO/sub/file.txt" "more
"
is "$OUT" ok "open(O_APPEND) on a read-only file succeeds"

capture shim sh -c "'$RW_PROBE' open-a '$RO/sub/file.txt' 'more
' >/dev/null; cat '$RO/sub/file.txt'"
is "$OUT" "sub content
more" "the appended file reads back old then new"

capture shim sh -c "'$RW_PROBE' open-rw '$RO/hello.txt' 'HELLO' >/dev/null; cat '$RO/hello.txt'"
is "$OUT" "HELLO from the lower" "O_RDWR without O_TRUNC overwrites in place on a full copy"
