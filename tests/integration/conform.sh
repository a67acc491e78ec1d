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

# The writable copy lives on the same filesystem as $RW, and is made anew
# (cp -a keeps modes, owners, times, links and xattrs) for every call.
CONFORM_COPY=$RW/copy

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
	got=$(conform_run "$RO" "$script" shim)
	is "$got" "$want" "$desc"
}
