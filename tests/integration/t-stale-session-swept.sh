#!/bin/bash
# SPDX-License-Identifier: MIT
# t-stale-session-swept.sh - what a crash with the machine leaves (simulated:
# a tree and its reaper all killed with SIGKILL, so nobody removes the
# session) is swept by a later run under the same RWSHIM_TMPDIR; sessions of
# other users and folders that are not sessions are left alone.
. "$(dirname "$0")/lib.sh"
plan 7

reaper_pid() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = rwshim-reaper ] || continue
		ls -l "$p/fd" 2>/dev/null | grep -q -- "$STORE" && echo "${p#/proc/}"
	done
}

setsid env LD_PRELOAD="$RWSHIM_LIB" sh -c "echo x > '$RO/f'; sh -c 'cat $RO/f' > '$RW/started'; sleep 100" </dev/null >/dev/null 2>&1 &
tree=$!
wait_for_file "$RW/started" 10
sleep 0.2
r=$(reaper_pid)
isnt "$r" "" "the tree has a reaper"
[ -n "$r" ] && kill -9 $r # every process that shows as its reaper
kill_tree "$tree"
wait "$tree" 2>/dev/null
sleep 1
stale=$(ls -d "$STORE"/rwshim.* 2>/dev/null)
isnt "$stale" "" "with the tree and its reaper killed, the session is left behind (a simulated crash)"

# Not sessions of ours: another user's, and a kept overlay without an index.
mkdir -p "$STORE/rwshim.other/upper" "$STORE/rwshim.kept/upper"
: >"$STORE/rwshim.other/index"
printf 'mine\n' >"$STORE/rwshim.kept/upper/file"
chown -R 65534:65534 "$STORE/rwshim.other"
chmod 0700 "$STORE/rwshim.other" "$STORE/rwshim.kept"

capture preload sh -c "echo later > '$RO/h'; cat '$RO/h'"
is "$OUT" "later" "a later run under the same RWSHIM_TMPDIR works"
sleep 1
wait_storage_empty_but() {
	local i=0
	while ls -d "$STORE"/rwshim.* 2>/dev/null | grep -qvE 'rwshim\.(other|kept)$'; do
		[ $i -ge 100 ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}
if wait_storage_empty_but; then ok "the stale session is swept by the later run"; else
	not_ok "the stale session is swept by the later run" "left: $(ls -d "$STORE"/rwshim.*)"; fi
is "$(ls -A "$STORE/rwshim.other" 2>&1 | tr '\n' ' ')" "index upper " "another user's session folder is left alone"
is "$(cat "$STORE/rwshim.kept/upper/file" 2>&1)" "mine" "a folder without an index (a kept overlay) is left alone"
rm -rf "$STORE/rwshim.other" "$STORE/rwshim.kept"
assert_storage_empty "nothing else is left"
