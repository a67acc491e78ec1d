#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-unlock-does-not-end-tree.sh - finding 4 (docs/SECURITY.md): each
# process holds its own lock on the session, so no process can release
# another's. In a root tree that dropped to uid 65534, the attacker runs
# `flock -u FD` on the session descriptor it inherited (FD is in
# RWSHIM_SESSION, "FD:PATH") and exits; a root process of the tree that is
# still running must still read back what it wrote, and the storage folder
# must still exist. Afterwards the storage goes as usual.
. "$(dirname "$0")/lib.sh"
plan 5

chmod 0755 "$WORK" "$RW"
cat >"$RW/root.sh" <<ROOT
echo "root data" >"$RO/rootfile"
sess=\${RWSHIM_SESSION#*:}
# A root process of the tree that outlives the attacker.
(
	i=0; while [ ! -e "$RW/attacked" ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
	sleep 1.5
	echo "read=\$(cat "$RO/rootfile" 2>&1)"
	echo "storage=\$(env -u LD_PRELOAD sh -c '[ -d "\$1/upper" ] && echo present || echo gone' sh "\$sess")"
	echo "write=\$("$RW_PROBE" open-w "$RO/later" later)"
) &
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '
	fd=\${RWSHIM_SESSION%%:*}
	flock -u "\$fd" && echo unlocked || echo "unlock failed"
	:' 
touch "$RW/attacked"
wait
ROOT
capture shim sh "$RW/root.sh"
step() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p"; }
diag "tree output:" "$OUT"
like "$OUT" '(^|[[:space:]])unlocked($|[[:space:]])' "the attacker ran flock -u on the inherited session descriptor"
is "$(step read)" "root data" "a root process still running reads back what it wrote before"
is "$(step storage)" "present" "the storage folder still exists while the tree runs"
is "$(step write)" "ok" "and it can still write"
ERR=
assert_storage_empty "the storage is removed once the tree has ended"
