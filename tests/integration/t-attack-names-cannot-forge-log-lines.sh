#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-names-cannot-forge-log-lines.sh - finding 14 (docs/SECURITY.md):
# logs escape control characters. A file named "x<newline>D etc-shadow"
# must not forge a line in --log or in the text --report (a name holds no
# '/', so the forged line names a file of the same folder).
. "$(dirname "$0")/lib.sh"
plan 3

name="x
D etc-shadow"
capture "$RWSHIM_BIN" --log="$RW/log" --report="$RW/report" -- sh -c 'echo a > "$1"; ls "$2" >/dev/null' sh "$RO/sub/$name" "$RO/sub"
is "$(grep -c '^D etc-shadow' "$RW/log")" 0 "no line of the log starts with 'D etc-shadow'"
is "$(grep -c '^D etc-shadow' "$RW/report")" 0 "no line of the report starts with 'D etc-shadow'"
is "$(grep -vc '^rwshim: log: ' "$RW/log")" 0 "every line of the log is a log line"
