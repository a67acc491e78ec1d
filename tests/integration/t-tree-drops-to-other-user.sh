#!/bin/bash
# SPDX-License-Identifier: MIT
# t-tree-drops-to-other-user.sh - a tree that starts as root and drops to
# another user (setpriv, as gosu and su-exec do) keeps the permissions of a
# writable copy of the read-only tree: the new user writes and reads back in
# folders it owns, is refused with EACCES where it does not own them, owns
# what it creates, and root sees every write.
lower_extra() {
	mkdir -p "$1/app" "$1/rootonly" || return 1
	printf 'app data\n' >"$1/app/data"
	printf 'root data\n' >"$1/rootonly/file"
	for i in $(seq 1 60); do mkdir -p "$1/pool/race$i/a/b" || return 1; done
	chown -R 65534:65534 "$1/app" "$1/pool"
	chmod 0755 "$1/app" "$1/rootonly"
}
. "$(dirname "$0")/lib.sh"
plan 14

chmod 0755 "$WORK" "$RW"
# Each step prints TAG=its output (lines joined with |), so one failure
# cannot shift the others.
cat >"$RW/steps.sh" <<STEPS
r() { t=\$1; shift; printf '%s=%s\\n' "\$t" "\$("\$@" 2>&1 | tr '\\n' '|' | sed 's/|\$//')"; }
r app-write sh -c 'echo new > $RO/app/new && cat $RO/app/new'
r app-append sh -c 'echo more >> $RO/app/data && cat $RO/app/data'
r app-owner stat -c %u:%g $RO/app/new
r app-rootdir $RW_PROBE open-w $RO/rootonly/x y
r app-rootfile $RW_PROBE open-a $RO/hello.txt y
r app-rootmkdir $RW_PROBE mkdir $RO/rootonly/sub
r app-mkdir $RW_PROBE mkdir $RO/app/sub
r app-readroot cat $RO/rootfile
STEPS
cat >"$RW/root.sh" <<STEPS
r() { t=\$1; shift; printf '%s=%s\\n' "\$t" "\$("\$@" 2>&1 | tr '\\n' '|' | sed 's/|\$//')"; }
r root-write sh -c 'echo root > $RO/rootfile'
setpriv --reuid=65534 --regid=65534 --clear-groups sh $RW/steps.sh
r root-read cat $RO/app/new $RO/app/data
r root-owner stat -c %u $RO/app/new
r root-list ls $RO/app
STEPS
capture shim sh "$RW/root.sh"
step() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p"; }
is "$(step app-write)" "new" "the new user writes a file in a folder it owns and reads it back"
is "$(step app-append)" "app data|more" "the new user appends to a read-only file it owns (copy-up) and reads it back"
is "$(step app-owner)" "65534:65534" "the new user owns what it creates"
is "$(step app-rootdir)" "EACCES" "the new user is refused with EACCES in a folder root owns"
is "$(step app-rootfile)" "EACCES" "the new user is refused with EACCES appending to a file root owns"
is "$(step app-rootmkdir)" "EACCES" "the new user is refused with EACCES making a folder where root owns the parent"
is "$(step app-mkdir)" "ok" "the new user makes a folder in its own folder"
is "$(step app-readroot)" "root" "the new user reads what root wrote before the drop"
is "$(step root-read)" "new|app data|more" "root sees every write of the new user"
is "$(step root-owner)" "65534" "root sees the new user as the owner"
is "$(step root-list)" "data|new|sub" "root lists the new user's folder with its new entries"

# A tree whose first program becomes the other user at once: the helper
# must be listening before the tree's first write, however slow the reaper
# is to start. Many short trees, so a race would show.
bad=
for i in $(seq 1 40); do
	got=$(shim setpriv --reuid=65534 --regid=65534 --clear-groups $RW_PROBE open-w "$RO/app/first$i" y 2>&1)
	[ "$got" = ok ] || bad="$bad tree $i: $got;"
done
is "$bad" "" "a tree that drops to another user in its first program writes at once, every time"

# Eight processes of the other user write at once into each of 60 folders
# that exist only read-only: the helper mirrors a folder while the others
# look for it, and none may find it before it has its owner.
cat >"$RW/race.sh" <<'RACE'
for w in 1 2 3 4 5 6 7 8; do
	for i in $(seq 1 60); do
		echo "$w" >"$1/pool/race$i/a/b/w$w" || echo "race$i/w$w failed"
	done &
done
wait
cat "$1"/pool/race*/a/b/w* | wc -l
RACE
capture shim setpriv --reuid=65534 --regid=65534 --clear-groups sh "$RW/race.sh" "$RO"
is "$(printf '%s|' "$OUT" "$ERR")" "480||" "eight writers of another user at once in folders being mirrored: every write lands"
ERR=
assert_storage_empty "the storage is removed after the tree exits"
