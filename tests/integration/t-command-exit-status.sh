#!/bin/bash
# SPDX-License-Identifier: MIT
# t-command-exit-status.sh - rwshim's own contract: COMMAND's status and
# signal death pass through; 125 for rwshim's errors, 126 for a COMMAND that
# cannot be executed, 127 for one that is not found (like env and timeout).
. "$(dirname "$0")/lib.sh"
plan 18

capture shim sh -c 'exit 7'
is "$RC" 7 "rwshim -- sh -c 'exit 7' exits 7"

capture shim true
is "$RC:$OUT:$ERR" "0::" "rwshim -- true exits 0 and prints nothing"

capture "$RWSHIM_BIN" true
is "$RC" 0 "the -- is optional"

capture shim sh -c 'kill -TERM $$'
is "$RC" 143 "rwshim -- sh -c 'kill -TERM \$\$' dies of SIGTERM (143)"

capture shim sh -c 'kill -KILL $$'
is "$RC" 137 "a COMMAND killed by SIGKILL: rwshim dies of SIGKILL (137)"

capture shim sh -c 'kill -INT $$'
is "$RC" 130 "a COMMAND killed by SIGINT: rwshim dies of SIGINT (130)"

capture "$RWSHIM_BIN" --scope=bogus true
is "$RC" 125 "rwshim --scope=bogus true exits 125"
is "$(lines "$ERR")" 1 "with exactly one line on stderr"
like "$ERR" 'scope' "that names the option"
is "$OUT" "" "and nothing on stdout"

capture "$RWSHIM_BIN" --no-such-option true
is "$RC" 125 "an unknown option exits 125"
like "$(printf '%s\n' "$ERR" | head -1)" 'no-such-option' "and the first line on stderr names it"

capture "$RWSHIM_BIN" /nonexistent
is "$RC:$(lines "$ERR")" "127:1" "rwshim /nonexistent exits 127 with one line"

capture "$RWSHIM_BIN" -- no-such-command-rwshim-test
is "$RC" 127 "a COMMAND not found in PATH exits 127"

printf 'echo should not run\n' >"$RW/not-executable.sh"
chmod 0644 "$RW/not-executable.sh"
capture "$RWSHIM_BIN" -- "$RW/not-executable.sh"
is "$RC:$OUT:$(lines "$ERR")" "126::1" "a COMMAND that is not executable exits 126 with one line"

capture "$RWSHIM_BIN" -- "$RW"
is "$RC" 126 "a folder as COMMAND exits 126"

capture "$RWSHIM_BIN" --version
is "$RC" 0 "--version exits 0"
like "$OUT" '0\.1\.0' "--version names the version"
