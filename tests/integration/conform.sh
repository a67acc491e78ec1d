# SPDX-License-Identifier: MIT
# tests/integration/conform.sh - sourced after lib.sh by the conformance
# tests: run the same commands on the read-only tree under rwshim and on a
# writable copy of the same tree without it, and compare what they print.
#
#   conform DESC SCRIPT
#
# SCRIPT is sh code. In it $T is the tree (the read-only lower, or a fresh
# writable copy of it made for this call alone) and $P the probe. Each run
# starts from the current folder $WORK; the tree's path in the output reads
# "T", so that the two outputs compare. Stdout and stderr are both compared.

# The writable copy is made anew (cp -a keeps modes, owners, times, links
# and xattrs) for every call. Both trees are reached through paths of the
# same, short length: unix socket names are limited to 108 bytes, and a
# deep build folder (make distcheck's) must not make the two runs differ.
# The mounts live in the test's private mount namespace and vanish with it.
CONFORM_TREE=$RO
CONFORM_COPY=$RW/copy
if [ -d /mnt ] && mount -t tmpfs -o size=64m,mode=0755 rwshim-conform /mnt 2>/dev/null; then
	mkdir -p /mnt/ro /mnt/rw
	if mount --bind "$RO" /mnt/ro 2>/dev/null; then
		CONFORM_TREE=/mnt/ro
		CONFORM_COPY=/mnt/rw
	fi
fi

conform_run() {
	local tree=$1 script=$2
	shift 2
	(cd "$WORK" && T=$tree P=$RW_PROBE "$@" sh -c "$script" 2>&1) | sed "s|$tree|T|g"
}

conform() {
	local desc=$1 script=$2 want got
	rm -rf "$CONFORM_COPY"
	cp -a "$RO" "$CONFORM_COPY" || bail_out "cannot copy the lower to $CONFORM_COPY"
	want=$(conform_run "$CONFORM_COPY" "$script" env)
	got=$(conform_run "$CONFORM_TREE" "$script" shim)
	is "$got" "$want" "$desc"
}
