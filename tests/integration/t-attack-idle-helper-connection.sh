#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-idle-helper-connection.sh - finding 10 (docs/SECURITY.md): one
# connection to the storage helper that sends nothing must not block the
# others. In a root tree, uid 65534 connects to the helper's socket and
# stays silent; a process of the tree that dropped to uid 65533 must still
# get its copy-up within 5 s.
lower_extra() {
	mkdir -p "$1/app2" && printf 'app2 data\n' >"$1/app2/data" &&
		chown -R 65533:65533 "$1/app2"
}
. "$(dirname "$0")/lib.sh"
plan 2
RW_ATTACK=${RW_ATTACK:-${RW_PROBE%/rw_probe}/rw_attack}

chmod 0755 "$WORK" "$RW"
cat >"$RW/root.sh" <<ROOT
sess=\${RWSHIM_SESSION#*:}
setpriv --reuid=65534 --regid=65534 --clear-groups env -u LD_PRELOAD "$RW_ATTACK" idle "\$sess/sock" 8 >"$RW/idle" &
i=0; while [ ! -s "$RW/idle" ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
echo "idle=\$(cat "$RW/idle")"
echo "copy=\$(timeout 5 setpriv --reuid=65533 --regid=65533 --clear-groups sh -c 'echo more >> "$RO/app2/data" && cat "$RO/app2/data" | tr "\n" " "'; echo " rc \$?")"
kill %1 2>/dev/null
wait
ROOT
capture shim sh "$RW/root.sh"
step() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p"; }
is "$(step idle)" "connected" "the attacker holds an idle connection to the helper"
is "$(step copy)" "app2 data more  rc 0" "another user's copy-up completes within 5 s"
