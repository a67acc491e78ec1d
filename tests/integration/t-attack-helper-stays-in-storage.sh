#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-helper-stays-in-storage.sh - finding 3 (docs/SECURITY.md): the
# root storage helper of a tree that dropped to uid 65534 creates nothing
# outside the storage, tells a caller no more than the kernel would, and
# serves only the tree: raw requests on its socket ('P' mirror parents, 'C'
# copy up; src/fs/helper.h) through a link the attacker planted in its own
# mirror folder; "does this exist" for a folder the attacker cannot search;
# and a request from uid 65533, which is not in the tree, is served only as
# uid 65533 may act.
lower_extra() {
	mkdir -p "$1/app/x/sub" || return 1
	printf 'lower file\n' >"$1/app/x/sub/f"
	chown 65534:65534 "$1/app"
	chmod 0755 "$1/app" "$1/app/x" "$1/app/x/sub"
}
. "$(dirname "$0")/lib.sh"
plan 7
RW_ATTACK=${RW_ATTACK:-${RW_PROBE%/rw_probe}/rw_attack}

chmod 0755 "$WORK" "$RW"
VICTIM=$WORK/rootdir
mkdir -m 0755 "$VICTIM"
PRIVATE=$WORK/private
mkdir -m 0700 "$PRIVATE"
printf 'secret\n' >"$PRIVATE/secret-name"

cat >"$RW/attack.sh" <<ATTACK
sess=\${RWSHIM_SESSION#*:}
echo u >"$RO/app/u.txt" || echo "attacker write failed"
env -u LD_PRELOAD ln -s "$VICTIM" "\$sess/upper$RO/app/x" && echo planted
echo "P=\$("$RW_ATTACK" request "\$sess/sock" P "$RO/app/x/sub/f")"
echo "C=\$("$RW_ATTACK" request "\$sess/sock" C "$RO/app/x/sub/f")"
echo "exists=\$("$RW_ATTACK" request "\$sess/sock" C "$PRIVATE/secret-name")"
echo "missing=\$("$RW_ATTACK" request "\$sess/sock" C "$PRIVATE/missing-name")"
echo "kernel=\$("$RW_PROBE" stat "$PRIVATE/secret-name")"
ATTACK
cat >"$RW/root.sh" <<ROOT
setpriv --reuid=65534 --regid=65534 --clear-groups sh "$RW/attack.sh"
printf '%s\n' "\${RWSHIM_SESSION#*:}" >"$RW/sess"
i=0; while [ ! -e "$RW/done" ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
ROOT
shim sh "$RW/root.sh" >"$RW/out" 2>"$RW/err" &
tree=$!
wait_for_file "$RW/sess" 10 || diag "the tree never said its session"
sess=$(cat "$RW/sess" 2>/dev/null)
# uid 65533 is no process of the tree but learnt the session path (which a
# process of a uid the tree runs as can read in /proc/PID/environ). Knowing
# the path is all the tree itself has, so the helper may serve it, but only
# as uid 65533 may act: never into a folder 65533 cannot search.
outsider=$(env -u LD_PRELOAD -u RWSHIM_SESSION setpriv --reuid=65533 --regid=65533 --clear-groups \
	"$RW_ATTACK" request "$sess/sock" C "$PRIVATE/secret-name" 2>&1)
copied=$( [ -e "$sess/upper$PRIVATE" ] && echo copied || echo none)
touch "$RW/done"
wait "$tree"
OUT=$(cat "$RW/out")
diag "attacker output:" "$OUT" "outsider: $outsider" "stderr:" "$(cat "$RW/err")"
step() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p"; }

like "$OUT" '(^|[[:space:]])planted($|[[:space:]])' "the attacker planted the link in its mirror of app/"
is "$(ls -A "$VICTIM" | tr '\n' ' ')" "" "nothing appeared in root's folder outside the storage after raw P and C requests through the link"
isnt "$(step P)" "reply ok" "the helper refuses to mirror folders through the planted link"
is "$(step exists)" "$(step missing)" "the helper answers the same for a name that exists and one that does not, in a folder the caller cannot search"
is "$(step exists)" "reply EACCES" "and that answer is EACCES, as the kernel's (stat by the caller: $(step kernel))"
is "$outsider" "reply EACCES" "uid 65533, outside the tree, asking for a file in a folder it cannot search is refused with EACCES"
is "$copied" "none" "nothing of that folder was copied into the storage for the outsider"
