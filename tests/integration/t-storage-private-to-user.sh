#!/bin/bash
# SPDX-License-Identifier: MIT
# t-storage-private-to-user.sh - the storage belongs to the user who started
# the tree: mode 0700, owned by that user; another uid (setpriv) cannot list
# it, cannot read a 0600 file the tree wrote, and cannot get at it by naming
# the session in RWSHIM_SESSION either. Trees started by root and by a
# non-root user.
. "$(dirname "$0")/lib.sh"
plan 12

as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; }
chmod 1777 "$STORE"
chmod 0755 "$WORK" "$RW"

# start_tree USER: a tree of USER writes a 0600 secret and waits.
start_tree() {
	rm -f "$RW/ready"
	setsid setpriv --reuid="$1" --regid="$1" --clear-groups env LD_PRELOAD="$RWSHIM_LIB" sh -c "umask 077
		echo secret > '$RO/secret.txt'; echo \$RWSHIM_SESSION > '$RW/ready.tmp'; mv '$RW/ready.tmp' '$RW/ready'; sleep 100" \
		</dev/null >/dev/null 2>&1 &
	TREE=$!
	wait_for_file "$RW/ready" 10
	SESS=$(ls -d "$STORE"/rwshim.* 2>/dev/null | head -1)
	SECRET=$(find "$SESS" -name secret.txt 2>/dev/null | head -1)
}

for who in 0:65534 65534:65533; do
	owner=${who%%:*}
	other=${who#*:}
	start_tree "$owner"
	mode=$(stat -c %a "$SESS" 2>/dev/null)
	is "$(stat -c %u "$SESS" 2>&1):$(((0$mode & 066) == 0))" "$owner:1" \
		"tree of uid $owner: its session folder is its own, unreadable and unwritable by others (mode $mode)"
	isnt "$SECRET" "" "tree of uid $owner: the secret is in the storage"
	capture as "$other" ls "$SESS"
	isnt "$RC" 0 "uid $other cannot list the session folder of uid $owner"
	capture as "$other" cat "$SECRET"
	is "$RC:$OUT" "1:" "uid $other cannot read the 0600 file the tree of uid $owner wrote"
	capture as "$other" env RWSHIM_SESSION="$(cat "$RW/ready")" LD_PRELOAD="$RWSHIM_LIB" cat "$RO/secret.txt"
	isnt "$OUT" "secret" "uid $other naming the session in RWSHIM_SESSION does not see the secret"
	ERR=
	kill_tree "$TREE"
	wait "$TREE" 2>/dev/null
	assert_storage_empty "tree of uid $owner: the storage is removed after it is killed"
done
