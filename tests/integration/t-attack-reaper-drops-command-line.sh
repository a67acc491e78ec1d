#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-reaper-drops-command-line.sh - finding 15 (docs/SECURITY.md): the
# removers ("rwshim: reaper") do not keep the program's command line, also
# when another library's constructor runs before rwshim's (setpriv links
# libcap-ng): `pgrep -f` with the program's unique argument finds only the
# program.
. "$(dirname "$0")/lib.sh"
plan 2

tag=rwshim-unique-$$-$RANDOM
shim setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "sleep 6; : $tag" &
# pgrep -f, by hand (procps's pgrep can hang under the sanitizer run): one
# grep over every command line, leaving out that grep itself. Wait until the
# program runs: a loaded machine may take a while to start it.
find_tagged() {
	local f p
	for f in $(grep -alF -- "$tag" /proc/[0-9]*/cmdline 2>/dev/null); do
		p=${f#/proc/}
		p=${p%/cmdline}
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = grep ] || echo "$p"
	done
}
i=0
while :; do
	pids=$(find_tagged)
	for p in $pids; do [ "$(cat /proc/$p/comm 2>/dev/null)" = sh ] && break 2; done
	[ $i -ge 50 ] && break
	sleep 0.1
	i=$((i + 1))
done
diag "found: $(for p in $pids; do printf '%s(%s) ' "$p" "$(cat /proc/$p/comm 2>/dev/null)"; done)"
# The rwshim command itself carries COMMAND's arguments, as any launcher
# does; what must not are the removers and the helper it leaves behind.
is "$(for p in $pids; do cat /proc/$p/comm; done | grep -c '^rwshim-')" 0 "pgrep -f finds no reaper and no helper, only the program and its launcher"
is "$(for p in $pids; do cat /proc/$p/comm; done | grep -c '^sh$')" 1 "and finds the program"
wait
