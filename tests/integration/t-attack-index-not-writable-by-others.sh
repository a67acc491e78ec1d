#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-index-not-writable-by-others.sh - finding 5 (docs/SECURITY.md):
# the shared index of a root tree is not the attacker's to write. A tree
# that dropped to uid 65534 knows the session path; the attacker opens
# session/index for writing (which truncates it), and root's processes of
# the tree, which map it, must neither die of SIGBUS nor lose their view.
. "$(dirname "$0")/lib.sh"
plan 4

chmod 0755 "$WORK" "$RW"
cat >"$RW/root.sh" <<ROOT
sess=\${RWSHIM_SESSION#*:}
echo "root data" >"$RO/rootfile"
setpriv --reuid=65534 --regid=65534 --clear-groups env -u LD_PRELOAD sh -c '
	echo "open=\$("$RW_PROBE" open-rw "\$1/index" x)"
	echo "truncate=\$(python3 -c "import os,sys; os.truncate(sys.argv[1], 0); print(\"done\")" "\$1/index" 2>&1 | tail -n 1)"
' sh "\$sess"
# Root's processes of the tree go on: the shell itself and new ones.
echo "read=\$(cat "$RO/rootfile" 2>&1)"
for i in 1 2 3 4 5 6 7 8; do echo \$i >"$RO/new\$i" || echo "fail \$i"; done
echo "after=\$(cat "$RO"/new* | tr -d '\n')"
ROOT
capture shim sh "$RW/root.sh"
step() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p"; }
diag "tree output:" "$OUT"
is "$(step open)" "EACCES" "the attacker cannot open the index for writing"
is "$RC" 0 "the root tree ends normally after the attacker's attempts (exit $RC; 135 is SIGBUS)"
is "$(step read)|$(step after)" "root data|12345678" "root's processes keep their view and keep writing"
ERR=
assert_storage_empty "the storage is removed once the tree has ended"
