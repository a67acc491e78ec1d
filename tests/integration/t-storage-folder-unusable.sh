#!/bin/bash
# SPDX-License-Identifier: MIT
# t-storage-folder-unusable.sh - RWSHIM_TMPDIR is missing, not a folder, not
# writable (as a user other than root) or on a read-only filesystem: the
# first redirected write fails with the original EROFS, one clear line on
# stderr names the folder and says why (one for the whole tree, however many
# processes), nothing else changes, the program goes on. The command refuses
# such a --tmpdir with exit 125 and one line.
. "$(dirname "$0")/lib.sh"
plan 21

NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
printf 'not a folder\n' >"$RW/file"
mkdir -p "$RW/rofs" "$RW/rootonly"
chmod 0755 "$RW/rootonly" "$WORK" "$RW"
mount -t tmpfs -o ro,size=1m rwshim-rofs "$RW/rofs" || bail_out "cannot mount a read-only tmpfs"

# try LABEL DIR WHY [RUNNER...]: a tree of 5 processes, two refused writes.
try() {
	local label=$1 dir=$2 why=$3
	shift 3
	capture "$@" env RWSHIM_TMPDIR="$dir" LD_PRELOAD="$RWSHIM_LIB" sh -c "/bin/true
		'$RW_PROBE' open-w '$RO/new' x; '$RW_PROBE' open-a '$RO/log.txt' x; /bin/true; sh -c 'echo alive'"
	is "$RC:$OUT" "0:EROFS
EROFS
alive" "$label: the writes fail with the original EROFS and the program goes on"
	is "$(printf '%s\n' "$ERR" | grep -c '^rwshim:'):$(lines "$ERR")" "1:1" \
		"$label: exactly one line on stderr for the whole tree of 5 processes"
	LINE=$(printf '%s\n' "$ERR" | grep '^rwshim:' | head -1 | tr 'A-Z' 'a-z')
	like "$LINE" "$(printf '%s' "$dir" | tr 'A-Z' 'a-z' | sed 's/[.[\*^$]/\\&/g')|rwshim_tmpdir" \
		"$label: the line names the folder or RWSHIM_TMPDIR"
	like "$LINE" "$why" "$label: the line says why ($why)"
	ERR=
}

try "missing folder" "$RW/missing" "no such|not exist|missing"
is "$(ls -A "$RW" | sort | tr '\n' ' ')" "file rofs rootonly " "the missing folder was not made"
try "not a folder" "$RW/file" "not a directory|not a folder"
is "$(cat "$RW/file")" "not a folder" "the file named as the folder is unchanged"
try "not writable by the user" "$RW/rootonly" "permission|not writable" $NOBODY
is "$(ls -A "$RW/rootonly")" "" "nothing was made in the folder the user cannot write"
try "on a read-only filesystem" "$RW/rofs" "read-only"

capture "$RWSHIM_BIN" --tmpdir "$RW/missing" -- sh -c "echo ran"
is "$RC:$OUT:$(lines "$ERR")" "125::1" "rwshim --tmpdir MISSING exits 125 with one line and does not run the command"
like "$ERR" "tmpdir" "that line names --tmpdir"
ERR=
umount "$RW/rofs"
