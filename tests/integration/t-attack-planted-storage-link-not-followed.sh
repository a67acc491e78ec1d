#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-planted-storage-link-not-followed.sh - finding 2 (docs/SECURITY.md):
# in a root tree that dropped to uid 65534, the attacker owns the mirrors
# of its folders in upper/ and, knowing the session path from its own
# environment, plants upper/<ro>/app/logs -> a folder of root's outside the
# storage, behind the tree's back. A root process of the tree that then
# writes <ro>/app/logs/app.conf and a new file beside it must not reach
# root's folder: no path inside the storage follows a link.
lower_extra() {
	mkdir -p "$1/app/logs" || return 1
	printf 'lower conf\n' >"$1/app/logs/app.conf"
	chown 65534:65534 "$1/app"
	chmod 0755 "$1/app" "$1/app/logs"
}
. "$(dirname "$0")/lib.sh"
plan 4

chmod 0755 "$WORK" "$RW"
# Root's folder outside the storage, on the same filesystem as the storage
# (so that a rename into it could succeed).
VICTIM=$WORK/rootdir
mkdir -m 0700 "$VICTIM"
printf 'root secret\n' >"$VICTIM/app.conf"
chmod 0600 "$VICTIM/app.conf"
before=$(stat -c '%u %a %s' "$VICTIM/app.conf")

cat >"$RW/attack.sh" <<ATTACK
sess=\${RWSHIM_SESSION#*:}
# A write of its own makes the mirror of app/ in upper/, owned by the attacker.
echo u >"$RO/app/u.txt" || echo "attacker write failed"
env -u LD_PRELOAD ln -s "$VICTIM" "\$sess/upper$RO/app/logs" && echo planted
ATTACK
cat >"$RW/root.sh" <<ROOT
setpriv --reuid=65534 --regid=65534 --clear-groups sh "$RW/attack.sh"
echo pwned >>"$RO/app/logs/app.conf"; echo "append=\$?"
echo new >"$RO/app/logs/new.conf"; echo "create=\$?"
ROOT
capture shim sh "$RW/root.sh"
diag "tree output:" "$OUT" "stderr:" "$ERR"
like "$OUT" '(^|[[:space:]])planted($|[[:space:]])' "the attacker planted the link in its mirror of app/"
is "$(cat "$VICTIM/app.conf")" "root secret" "root's file outside the storage keeps its content"
is "$(stat -c '%u %a %s' "$VICTIM/app.conf")" "$before" "root's file keeps its owner, mode and size"
is "$(ls -A "$VICTIM" | tr '\n' ' ')" "app.conf " "no new file appeared in root's folder"
