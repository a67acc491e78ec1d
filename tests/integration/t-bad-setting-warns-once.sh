#!/bin/bash
# SPDX-License-Identifier: MIT
# t-bad-setting-warns-once.sh - under LD_PRELOAD a bad setting gets one clear
# warning line naming the variable; the program runs on with the default.
. "$(dirname "$0")/lib.sh"
plan 8

capture env RWSHIM_SCOPE=bogus LD_PRELOAD="$RWSHIM_LIB" sh -c 'true; true'
is "$RC" 0 "RWSHIM_SCOPE=bogus LD_PRELOAD=librwshim.so sh -c 'true; true' exits 0"
is "$(lines "$ERR")" 1 "with exactly one warning line"
like "$ERR" 'RWSHIM_SCOPE' "that names the variable"
is "$OUT" "" "and nothing on stdout"

capture env RWSHIM_SCOPE=bogus LD_PRELOAD="$RWSHIM_LIB" sh -c "echo hi > '$RO/x' && cat '$RO/x'"
is "$OUT:$RC" "hi:0" "with a bad RWSHIM_SCOPE the shim still redirects, with the default scope"

capture env RWSHIM_SCOPE=bogus LD_PRELOAD="$RWSHIM_LIB" sh -c '/bin/true; /bin/true; /bin/true'
is "$(lines "$ERR")" 1 "one warning for the whole tree, not one per process"
diag "stderr was:" "$ERR"

capture env RWSHIM_TMPDIR=relative/dir LD_PRELOAD="$RWSHIM_LIB" sh -c 'true'
is "$RC:$(lines "$ERR")" "0:1" "a relative RWSHIM_TMPDIR gets one warning line and the program runs"
like "$ERR" 'RWSHIM_TMPDIR' "that names the variable"
