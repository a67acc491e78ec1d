#!/bin/bash
# SPDX-License-Identifier: MIT
# t-relative-paths-after-cd.sh - relative paths resolve against the current
# folder inside the read-only tree, also after cd into a folder that exists
# only in the overlay; getcwd reports the path asked for.
. "$(dirname "$0")/lib.sh"
plan 9

capture shim sh -c "cd '$RO/sub' && echo rel > rel.txt && cat rel.txt && cat ../hello.txt && ls"
is "$OUT" "rel
hello from the lower
deep
file.txt
rel.txt" "after cd into a lower folder, relative writes, reads and ls work"

capture shim sh -c "cd '$RO' && mkdir -p made/here && cd made/here && echo n > f && cat f && cat ../../hello.txt"
is "$OUT" "n
hello from the lower" "after cd into a folder that exists only in the overlay, relative paths work"

capture shim sh -c "cd '$RO' && mkdir -p made && cd made && /bin/pwd -P"
is "$OUT" "$RO/made" "pwd -P (getcwd) reports the path asked for, not the storage path"

capture shim sh -c "mkdir -p '$RO/made' && '$RW_PROBE' cd '$RO/made' getcwd"
is "$OUT" "ok $RO/made" "getcwd in a process that chdir'd into an overlay folder"

capture shim "$RW_PROBE" cd "$RO/sub/deep" open-w new.txt "relative"
is "$OUT" ok "open(O_CREAT) of a relative path after chdir into a lower folder"

capture shim sh -c "'$RW_PROBE' cd '$RO/sub/deep' open-w new.txt relative >/dev/null; cat '$RO/sub/deep/new.txt'"
is "$OUT" "relative" "lands at the absolute path it names"

capture shim "$RW_PROBE" chdir-then-open "$RO/sub" deep/file.txt
is "$OUT" "ok
deep content" "chdir then open of a relative lower file"

capture shim sh -c "cd '$RO/sub/deep' && echo up > ../../up.txt && cat '$RO/up.txt' && ls .. | tr '\n' ' '"
is "$OUT" "up
deep file.txt " "'..' in a relative path is resolved in the merged view"

capture shim sh -c "cd '$RO/sub' && rm file.txt && ls && test ! -e '$RO/sub/file.txt' && echo gone"
is "$OUT" "deep
gone" "relative rm of a lower file"
