#!/bin/bash
# SPDX-License-Identifier: MIT
# t-stress-many-writers.sh - 8 processes x 8 threads of one tree copy up,
# append, rewrite (temporary file + rename), delete and recreate, list and
# read 200 read-only files at once for a fixed number of rounds; then every
# byte is checked: each append landed exactly once after the lower content,
# every reader saw an old or a whole new file, the view holds no stray
# names, and the storage is gone after exit. Tree scope (forked and exec'd
# workers) and process scope (each worker its own overlay).
# RW_STRESS_ROUNDS (default 200) sets the rounds; scripts/sanitize lowers it.
lower_extra() {
	mkdir "$1/stress" && "${RW_PROBE%/*}/rw_stress" fill "$1/stress"
}
. "$(dirname "$0")/lib.sh"
plan 22

STRESS=${RW_PROBE%/*}/rw_stress
ROUNDS=${RW_STRESS_ROUNDS:-200}
check "the lower stress tree is complete and pristine" "$STRESS" verify "$RO/stress"

# run_stress LABEL RUNNER...: run 8x8 workers, one assertion per promise.
run_stress() {
	local label=$1 sum
	shift
	capture timeout 600 "$@" "$STRESS" run "$RO/stress" 8 8 "$ROUNDS"
	diag "$label: $(printf '%s\n' "$OUT" | grep '^ok' || echo "exit $RC")"
	sum=$(printf '%s\n' "$OUT" | awk '/failures:/ { for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) t[kv[1]] += kv[2] }
		END { printf "write=%d read=%d listing=%d final=%d", t["write"], t["read"], t["listing"], t["final"] }')
	[ "$RC" = 124 ] && diag "$label: the stress did not finish within 10 minutes (hung)"
	like "$sum" '^write=0 ' "$label: every append, rewrite, unlink and create succeeded and read back"
	like "$sum" ' read=0 ' "$label: every reader saw an old or a whole new file, never a torn one"
	like "$sum" ' final=0$' "$label: at the end each append landed exactly once, each file is whole, no stray names"
	like "$sum" ' listing=0 ' "$label: listings during the run always held every file that was never deleted"
	[ "$RC" = 0 ] || diag "$label: exit $RC; first failures:" "$(printf '%s\n' "$ERR" | head -20)"
	ERR=
	assert_storage_empty "$label: the storage is empty once the tree has exited"
}

run_stress "tree scope, forked workers" env LD_PRELOAD="$RWSHIM_LIB"
run_stress "tree scope, exec'd workers" env RW_STRESS_EXEC=1 LD_PRELOAD="$RWSHIM_LIB"
run_stress "process scope" env RWSHIM_SCOPE=process LD_PRELOAD="$RWSHIM_LIB"
run_stress "under the rwshim command" "$RWSHIM_BIN" --
check "after all runs the lower stress tree is untouched" "$STRESS" verify "$RO/stress"
