#!/bin/bash
# SPDX-License-Identifier: MIT
# t-storage-removed-on-exit.sh - the storage exists while the tree needs it
# and is gone when rwshim returns, however the tree ends; it is never removed
# while a process of the tree still runs.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip_all "python3 not found"
plan 12

shim sh -c "echo x > '$RO/f'; : > '$RW/ready'; sleep 1" &
wait_for_file "$RW/ready" 10
isnt "$(storage_listing "$STORE")" "" "while the tree runs after a redirected write, the storage folder holds its session"
wait $!
is "$?:$(storage_listing "$STORE")" "0:" "after a normal exit the storage folder is empty when rwshim returns"

capture shim sh -c "echo x > '$RO/f'; exit 3"
is "$RC:$(storage_listing "$STORE")" "3:" "after exit 3 the storage folder is empty"

capture shim "$PY" -c "import os; open('$RO/f', 'w').write('x'); os._exit(4)"
is "$RC:$(storage_listing "$STORE")" "4:" "after _exit (no atexit handlers) the storage folder is empty"

capture shim sh -c "echo x > '$RO/f'; kill -KILL \$\$"
is "$RC:$(storage_listing "$STORE")" "137:" "after the command dies of SIGKILL the storage folder is empty"

capture shim sh -c "echo x > '$RO/f'; kill -SEGV \$\$"
is "$RC:$(storage_listing "$STORE")" "139:" "after the command dies of SIGSEGV the storage folder is empty"

capture shim cat "$RO/hello.txt"
is "$OUT:$(storage_listing "$STORE")" "hello from the lower:" "a run that redirects nothing leaves nothing"

# A daemonised descendant outlives the command's first process: rwshim waits
# for it (child subreaper) and the storage must outlive the parent.
capture shim sh -c "echo early > '$RO/f'; (sleep 1; cat '$RO/f' > '$RW/late'; echo late > '$RO/g'; cat '$RO/g' >> '$RW/late') & exit 0"
is "$(cat "$RW/late" 2>&1)" "early
late" "a background child that outlives its parent still reads and writes the overlay"
is "$(storage_listing "$STORE")" "" "and the storage is gone once that child has exited"

capture shim sh -c "echo early > '$RO/f'; setsid sh -c 'sleep 1; cat $RO/f > $RW/daemon' </dev/null >/dev/null 2>&1 & exit 0"
is "$(cat "$RW/daemon" 2>&1)" "early" "a daemon in its own session is waited for and still sees the overlay"

rm -f "$RW/late"
capture preload sh -c "echo early > '$RO/f'; (sleep 1; cat '$RO/f' > '$RW/late') & exit 0"
wait_for_file "$RW/late" 10
sleep 0.2
is "$(cat "$RW/late" 2>&1)" "early" "under LD_PRELOAD the storage outlives the first process while a child runs"
assert_storage_empty "under LD_PRELOAD it is removed shortly after the last process exits"
