#!/bin/bash
# SPDX-License-Identifier: MIT
# t-sed-in-place.sh - sed -i (temp file in the same folder, then rename) edits
# a read-only file in the view and leaves no temp file behind.
. "$(dirname "$0")/lib.sh"
plan 6

capture sed -i s/old/new/ "$RO/conf/app.conf"
like "$ERR" 'Read-only file system|couldn.t open temporary file' "without rwshim sed -i fails"

capture shim sh -c "sed -i s/old/new/ '$RO/conf/app.conf' && cat '$RO/conf/app.conf'"
is "$OUT" "key=new
other=1" "sed -i edits the read-only file in the view"
is "$RC" 0 "sed -i exits 0"

capture shim sh -c "sed -i s/old/new/ '$RO/conf/app.conf' && ls -A '$RO/conf'"
is "$OUT" "app.conf" "no temporary file is left in the folder"

capture shim sh -c "sed -i s/old/new/ '$RO/conf/app.conf' && stat -c %a '$RO/conf/app.conf'"
is "$OUT" "640" "the edited file keeps its mode"

capture shim sh -c "sed -i -e s/key/KEY/ '$RO/conf/app.conf' && sed -i -e s/other/OTHER/ '$RO/conf/app.conf' && cat '$RO/conf/app.conf'"
is "$OUT" "KEY=old
OTHER=1" "two sed -i runs in one tree apply on top of each other"
