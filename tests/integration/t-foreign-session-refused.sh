#!/bin/bash
# SPDX-License-Identifier: MIT
# t-foreign-session-refused.sh - RWSHIM_SESSION naming a folder the user
# does not own, or one rwshim did not make (no index, a bad index, open to
# others, a symlink), is refused with one line naming RWSHIM_SESSION: the
# tree goes on in a session of its own, and the named folder is never used,
# changed or removed.
. "$(dirname "$0")/lib.sh"
plan 20

mk() { mkdir -p "$1/upper/x" && printf 'foreign\n' >"$1/upper/x/file"; }
state() { (cd "$1" && find . -printf '%y %m %U %s %p -> %l\n' | sort; find . -type f -exec cat {} + 2>/dev/null); }

mk "$RW/nobodys"
: >"$RW/nobodys/index"
chown -R 65534:65534 "$RW/nobodys"
chmod 0700 "$RW/nobodys"
mk "$RW/noindex"
chmod 0700 "$RW/noindex"
mk "$RW/badindex"
printf 'this is not an index\n' >"$RW/badindex/index"
chmod 0700 "$RW/badindex"
mk "$RW/open"
head -c 266240 /dev/zero >"$RW/open/index"
chmod 0777 "$RW/open"
ln -s "$RW/noindex" "$RW/link"

for f in nobodys noindex badindex open link; do
	before=$(state "$RW/$f")
	capture env RWSHIM_SESSION="1000:$RW/$f" LD_PRELOAD="$RWSHIM_LIB" sh -c "echo mine > '$RO/m'; cat '$RO/m'; /bin/true"
	is "$RC:$OUT" "0:mine" "$f: the tree refuses it and works in a session of its own"
	is "$(printf '%s\n' "$ERR" | grep -c 'RWSHIM_SESSION'):$(lines "$ERR")" "1:1" "$f: one line naming RWSHIM_SESSION"
	ERR=
	sleep 0.5
	is "$(state "$RW/$f")" "$before" "$f: the named folder is not used, changed or removed"
	assert_storage_empty "$f: the tree's own session is removed"
done
