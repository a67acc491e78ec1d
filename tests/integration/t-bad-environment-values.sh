#!/bin/bash
# SPDX-License-Identifier: MIT
# t-bad-environment-values.sh - every RWSHIM_* variable set to a huge value
# (100 KB), random bytes, or a path with a 5000-byte name: under LD_PRELOAD
# the program runs and redirects as with the default, with exactly one
# printable warning line of bounded length naming the variable; never a
# crash. The command refuses such a setting with exit 125 and one line.
. "$(dirname "$0")/lib.sh"

vars=(RWSHIM_TMPDIR RWSHIM_PATHS RWSHIM_EXCLUDE RWSHIM_EACCES RWSHIM_SCOPE RWSHIM_KEEP
	RWSHIM_REPORT RWSHIM_LOG RWSHIM_AUDIT RWSHIM_SESSION)
plan $((${#vars[@]} * 3 * 3 + 9 + 1))

huge=$(head -c 100000 /dev/zero | tr '\0' x)
rnd=$(head -c 4000 /dev/urandom | tr -d '\0' | head -c 3000)
longname=/$(head -c 5000 /dev/zero | tr '\0' n)
values=(huge rnd longname)

for v in "${vars[@]}"; do
	for k in "${values[@]}"; do
		capture env "$v=${!k}" LD_PRELOAD="$RWSHIM_LIB" sh -c "echo hi > '$RO/x' && cat '$RO/x' && /bin/true"
		is "$RC:$OUT" "0:hi" "$v=<$k>: the program runs and redirects as with the default"
		is "$(lines "$ERR"):$(printf '%s\n' "$ERR" | grep -c -- "$v")" "1:1" "$v=<$k>: one warning line naming $v"
		is "$(printf '%s' "$ERR" | LC_ALL=C tr -d '[:print:]' | wc -c):$((${#ERR} <= 400))" "0:1" \
			"$v=<$k>: the line is printable and at most 400 bytes"
		ERR=
	done
done
for v in "${vars[@]}"; do
	[ "$v" = RWSHIM_SESSION ] && continue
	capture env "$v=$rnd" "$RWSHIM_BIN" -- sh -c "echo ran"
	is "$RC:$OUT:$(lines "$ERR")" "125::1" "rwshim with $v=<random bytes> exits 125 with one line, the command not run"
	ERR=
done
assert_storage_empty "the storage is removed after the runs"
