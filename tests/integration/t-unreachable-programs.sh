#!/bin/bash
# SPDX-License-Identifier: MIT
# t-unreachable-programs.sh - the command says in one line when COMMAND is
# statically linked or setuid/setgid, programs the loader will not preload into.
. "$(dirname "$0")/lib.sh"
plan 7

if command -v cc >/dev/null 2>&1 &&
	printf '#include <stdio.h>\nint main(void) { puts("static ran"); return 0; }\n' >"$RW/static.c" &&
	cc -static -o "$RW/static" "$RW/static.c" 2>"$RW/cc.err"; then
	capture "$RWSHIM_BIN" -- "$RW/static"
	is "$(lines "$ERR")" 1 "a statically linked COMMAND gets one line on stderr"
	like "$ERR" '[Ss]tatic' "that says it is statically linked"
	diag "exit status $RC, stdout: $OUT"
else
	skip "no C compiler with a static libc here ($(cat "$RW/cc.err" 2>/dev/null | head -1))"
	skip "no C compiler with a static libc here"
fi

# The loader drops LD_PRELOAD only when running the program changes user or
# group, so the programs belong to another user (nobody) than the one running.
cp /bin/true "$RW/setuid-true"
cp /bin/true "$RW/setgid-true"
if chown 65534:65534 "$RW/setuid-true" "$RW/setgid-true" 2>/dev/null; then
	chmod 4755 "$RW/setuid-true"
	chmod 2755 "$RW/setgid-true"
	capture "$RWSHIM_BIN" -- "$RW/setuid-true"
	is "$(lines "$ERR"):$RC" "1:0" "a setuid COMMAND of another user gets one line on stderr, and runs"
	like "$ERR" 'setuid' "that says it is setuid"
	capture "$RWSHIM_BIN" -- "$RW/setgid-true"
	is "$(lines "$ERR"):$RC" "1:0" "a setgid COMMAND of another group gets one line on stderr, and runs"
	like "$ERR" 'setgid' "that says it is setgid"
else
	for _ in 1 2 3 4; do skip "cannot chown a file to nobody here"; done
fi

cp /bin/true "$RW/own-setuid-true"
chmod 4755 "$RW/own-setuid-true"
capture "$RWSHIM_BIN" -- "$RW/own-setuid-true"
is "$ERR:$RC" ":0" "a setuid COMMAND owned by the user running it (no change of user) gets no warning"
