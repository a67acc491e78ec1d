#!/bin/bash
# SPDX-License-Identifier: MIT
# t-own-lock-per-process.sh - every process of the tree holds its own lock
# on the session. A root tree drops to uid 65534, which is hostile: it
# reads the session descriptor's number from RWSHIM_SESSION (its own
# environment) and, for two seconds, unlocks that descriptor again and
# again, while root's processes keep reading their overlay: the storage
# must stay. The same user marks the descriptor close-on-exec and execs:
# its program must still join the tree (by the session's path), not start
# a session of its own.
lower_extra() {
	mkdir -p "$1/app" && chown 65534:65534 "$1/app"
}
. "$(dirname "$0")/lib.sh"
plan 7

command -v flock >/dev/null || skip_all "flock (util-linux) not found"
PY=$(command -v /usr/bin/python3 python3 | head -1)
chmod 0755 "$WORK" "$RW"
DROP="setpriv --reuid=65534 --regid=65534 --clear-groups"

cat >"$RW/unlock.sh" <<'EOF2'
# The attacker: drop the tree's lock through the inherited descriptor.
n=${RWSHIM_SESSION%%:*}
end=$(($(date +%s) + 2))
i=0
while [ "$(date +%s)" -lt "$end" ]; do flock -u "$n" && i=$((i + 1)); done
echo "unlocked $i times"
EOF2
cat >"$RW/root.sh" <<EOF2
echo root >$RO/rootfile
$DROP sh $RW/unlock.sh &
# Root reads its overlay for three seconds, each read a new process.
end=\$((\$(date +%s) + 3))
ok=0 bad=0
while [ "\$(date +%s)" -lt "\$end" ]; do
	if [ "\$(cat $RO/rootfile 2>/dev/null)" = root ]; then ok=\$((ok + 1)); else bad=\$((bad + 1)); fi
done
wait
echo "ok=\$ok bad=\$bad"
ls -d $STORE/rwshim.*/s.* >/dev/null 2>&1 && echo storage-there || echo storage-gone
EOF2
capture "$RWSHIM_BIN" -- sh "$RW/root.sh"
like "$OUT" "^unlocked [1-9][0-9]* times$" "the other user unlocked its inherited session descriptor again and again"
like "$OUT" "ok=[1-9][0-9]* bad=0" "root's processes read their overlay all along"
like "$OUT" "storage-there$" "and the storage is still there when they are done"
assert_storage_empty "the storage is removed once the tree has ended"

# FD_CLOEXEC on the session descriptor, then exec: the program joins.
cat >"$RW/cloexec.sh" <<EOF2
echo root >$RO/rootfile
$DROP $PY -c '
import os, fcntl
n = int(os.environ["RWSHIM_SESSION"].split(":")[0])
fcntl.fcntl(n, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
os.execvp("sh", ["sh", "-c", "cat $RO/rootfile; echo mine > $RO/app/new"])'
cat $RO/app/new
EOF2
capture "$RWSHIM_BIN" -- sh "$RW/cloexec.sh"
is "$OUT" "root
mine" "close-on-exec set by the other user: its program still reads root's overlay and root reads what it wrote"
is "$ERR" "" "and no new session is started"
assert_storage_empty "and the storage is removed at the end"
