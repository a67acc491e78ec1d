#!/bin/bash
# SPDX-License-Identifier: MIT
# t-command-signals.sh - rwshim forwards SIGTERM, SIGINT, SIGHUP, SIGUSR1 to
# COMMAND, waits for it, then exits with its status; the storage is gone.
. "$(dirname "$0")/lib.sh"
plan 6

# Without job control bash starts background jobs with SIGINT ignored, and a
# shell cannot trap a signal ignored on entry: set -m keeps SIGINT default.
set -m

# run_trapping SIG: start a COMMAND that traps SIG, send SIG to rwshim only.
run_trapping() {
	rm -f "$RW/ready" "$RW/got"
	"$RWSHIM_BIN" -- sh -c "trap 'echo \$(cat $RO/f) > $RW/got; exit 3' $1; echo x > '$RO/f'; : > '$RW/ready'; while :; do sleep 0.1; done" &
	local pid=$!
	wait_for_file "$RW/ready" 10
	kill -"$1" "$pid"
	wait "$pid"
	RC=$?
}

for sig in TERM INT HUP USR1; do
	run_trapping "$sig"
	is "$RC:$(cat "$RW/got" 2>&1)" "3:x" "SIG$sig sent to rwshim reaches COMMAND, which exits 3 through its trap"
done

rm -f "$RW/ready"
"$RWSHIM_BIN" -- sh -c "echo x > '$RO/f'; : > '$RW/ready'; exec sleep 100" &
pid=$!
wait_for_file "$RW/ready" 10
sleep 0.2
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "SIGTERM to rwshim kills an untrapping COMMAND, and rwshim dies of SIGTERM"
is "$(storage_listing "$STORE")" "" "the storage folder is empty when rwshim has died"
