#!/bin/bash
# SPDX-License-Identifier: MIT
# t-storage-removed-after-kill-9.sh - kill -9 of the whole process tree,
# rwshim included, leaves nothing in the storage folder: the library's reaper
# removes it once no process of the tree is left.
. "$(dirname "$0")/lib.sh"
plan 10

# setsid gives the tree its own session and process group, led by $!.
setsid "$RWSHIM_BIN" -- sh -c "echo x > '$RO/f'; cat '$RO/f' > '$RW/started'; sleep 100" </dev/null >/dev/null 2>&1 &
tree=$!
wait_for_file "$RW/started" 10
sleep 0.2
is "$(cat "$RW/started" 2>&1)" "x" "the tree under rwshim wrote into the read-only folder"
isnt "$(storage_listing "$STORE")" "" "the storage folder holds its session while the tree runs"
kill_tree "$tree"
wait "$tree"
is "$?" 137 "rwshim died of SIGKILL"
sleep 0.2
is "$(group_pids "$tree")" "" "no process of the tree is left"
assert_storage_empty "after kill -9 of the tree under rwshim the storage folder ends up empty"

rm -f "$RW/started"
setsid env LD_PRELOAD="$RWSHIM_LIB" sh -c "echo x > '$RO/f'; sh -c 'cat $RO/f' > '$RW/started'; sleep 100" </dev/null >/dev/null 2>&1 &
tree=$!
wait_for_file "$RW/started" 10
sleep 0.2
is "$(cat "$RW/started" 2>&1)" "x" "the tree under LD_PRELOAD wrote into the read-only folder"
isnt "$(storage_listing "$STORE")" "" "the storage folder holds its session while the tree runs"
kill_tree "$tree"
wait "$tree"
is "$?" 137 "the tree's first process died of SIGKILL"
sleep 0.2
is "$(group_pids "$tree")" "" "no process of the tree is left"
assert_storage_empty "after kill -9 of the tree under LD_PRELOAD the storage folder ends up empty"
