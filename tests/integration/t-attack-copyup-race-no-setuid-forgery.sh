#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-copyup-race-no-setuid-forgery.sh - finding 1 (docs/SECURITY.md):
# the root helper of a tree that dropped to uid 65534 must never give a copy
# a set-id bit with content that is not that of the same file with the same
# owner. The attacker swaps its own folder with a link to a folder of
# setuid-root programs (renameat2 RENAME_EXCHANGE, in a loop for 3 s) while
# it asks the helper, over the session's socket, to copy its own programs
# up: an owner and mode taken from one lstat and content from a later open
# would leave the attacker's program in the storage as root's and 4755.
lower_extra() {
	mkdir -p "$1/sbin" || return 1
	for i in $(seq 1 50); do
		printf '#!/bin/sh\necho root program %s\n' "$i" >"$1/sbin/prog$i"
	done
	chmod 4755 "$1"/sbin/prog*
}
. "$(dirname "$0")/lib.sh"
plan 4
RW_ATTACK=${RW_ATTACK:-${RW_PROBE%/rw_probe}/rw_attack}

chmod 0755 "$WORK" "$RW"
# The attacker's own writable folder, protected by --paths so that the tree
# copies its files up: d/ holds its programs, link points at root's.
mkdir -p "$RW/u/d"
for i in $(seq 1 50); do printf '#!/bin/sh\necho attacker\n' >"$RW/u/d/prog$i"; done
chmod 0755 "$RW"/u/d/prog*
ln -s "$RO/sbin" "$RW/u/link"
chown -R -h 65534:65534 "$RW/u"

mkdir -m 0755 "$RW/out"
chown 65534:65534 "$RW/out"
# The attacker's tools run without the library: it acts on the real files.
cat >"$RW/attack.sh" <<ATTACK
sess=\${RWSHIM_SESSION#*:}
"$RW_ATTACK" exchange "$RW/u/d" "$RW/u/link" 3 >"$RW/out/swaps" &
nice -n 10 "$RW_ATTACK" race-copy "\$sess/sock" "$RW/u/d/prog" 50 3 "\$sess/upper$RW/u/d" attacker >"$RW/out/asked"
wait
env -u LD_PRELOAD find "\$sess/upper" -type f -perm /6000 -exec grep -l attacker {} + >"$RW/out/forged" 2>/dev/null
# Leave the folders as they were.
[ -L "$RW/u/d" ] && "$RW_ATTACK" exchange "$RW/u/d" "$RW/u/link" 0.000001 >/dev/null
ATTACK
# Root, in the tree, judges every set-id file in the storage while it lives:
# "attacker" when it holds the attacker's program, "root" when it holds one
# of root's set-id programs and is root's, "other" else.
cat >"$RW/judge.sh" <<JUDGE
find "\$1/upper" -type f -perm /6000 2>/dev/null | while read -r path; do
	set -- "\$1" \$(stat -c '%u %a' "\$path" 2>/dev/null)
	# Gone between find and stat: nothing left to judge.
	if [ \$# -lt 3 ]; then v=gone
	elif grep -q attacker "\$path"; then v=attacker
	elif [ "\$2" = 0 ] && grep -q 'root program' "\$path"; then v=root
	else v=other; fi
	echo "\$v \$2 \$3 \${path#"\$1"/upper}"
done
JUDGE
cat >"$RW/root.sh" <<ROOT
setpriv --reuid=65534 --regid=65534 --clear-groups env -u LD_PRELOAD sh "$RW/attack.sh"
env -u LD_PRELOAD sh "$RW/judge.sh" "\${RWSHIM_SESSION#*:}" >"$RW/setid"
ROOT
capture "$RWSHIM_BIN" --paths "$RW/u" -- sh "$RW/root.sh"
diag "swaps: $(cat "$RW/out/swaps" 2>/dev/null); requests asked, answered ok: $(cat "$RW/out/asked" 2>/dev/null)"
diag "set-id files in the storage, by verdict: $(cut -d' ' -f1 "$RW/setid" | sort | uniq -c | tr '\n' ' ')"
diag "$(grep -v "^root " "$RW/setid" | head -3)"
like "$(cat "$RW/out/swaps" 2>/dev/null)" '^[1-9][0-9]*$' "the attacker's exchange loop ran"
like "$(cat "$RW/out/asked" 2>/dev/null)" '^asked [1-9][0-9]* ok [1-9]' "the attacker's raw copy-up requests reached the helper"
is "$(grep '^attacker' "$RW/setid" | head -5)$(head -5 "$RW/out/forged")" "" "no file in the storage has a set-id bit with the attacker's content"
is "$(grep -v -e '^root ' -e '^gone ' "$RW/setid" | head -5)" "" "every set-id file in the storage is one of root's set-id programs, owned by root"
