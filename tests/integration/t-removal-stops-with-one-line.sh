#!/bin/bash
# SPDX-License-Identifier: MIT
# t-removal-stops-with-one-line.sh - the removers make progress or stop with
# one line naming the folder, and never spin: an immutable file left in the
# overlay (chattr +i, which tmpfs honours), and folders nested far deeper
# than the descriptor limit of the tree (and so of its reaper), which a
# removal holding one descriptor per level cannot reach the bottom of.
. "$(dirname "$0")/lib.sh"
plan 8

command -v chattr >/dev/null || skip_all "chattr (e2fsprogs) not found"

# Processes that hold a descriptor under $STORE: a remover still at work.
holders() {
	local p
	for p in /proc/[0-9]*; do
		ls -l "$p/fd" 2>/dev/null | grep -q -- "$STORE/" && echo "${p#/proc/}"
	done
}
# wait_no_holders SECONDS: 0 once nobody holds the storage.
wait_no_holders() {
	local i=0
	while [ -n "$(holders)" ]; do
		[ "$i" -ge $(($1 * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}
# Clean up after a remover that stopped, or one that spins (old versions).
clean_store() {
	local p
	for p in $(holders); do kill -9 "$p" 2>/dev/null; done
	find "$STORE" -mindepth 1 -exec chattr -i {} + 2>/dev/null
	rm -rf "${STORE:?}"/* 2>/dev/null
}

# An immutable file in the overlay: the command's reaper stops, says so
# once, and the command returns.
start=$SECONDS
capture timeout -s KILL 20 "$RWSHIM_BIN" -- sh -c "echo x > '$RO/imm' && chattr +i \"\$(find '$STORE' -name imm 2>/dev/null)\""
is "$RC" 0 "an immutable file in the overlay: the command still returns, with the status of its command"
[ $((SECONDS - start)) -lt 15 ] && ok "and within 15 s" || not_ok "and within 15 s" "took $((SECONDS - start)) s"
like "$(printf '%s\n' "$ERR" | grep -c .)|$ERR" "^1\|rwshim: cannot remove /.*/upper$RO/imm: operation not permitted" \
	"exactly one line, naming the folder and the file"
clean_store

# The same under LD_PRELOAD: the reaper, on its own, is gone within seconds.
capture preload sh -c "echo x > '$RO/imm' && chattr +i \"\$(find '$STORE' -name imm 2>/dev/null)\""
sleep 1
if wait_no_holders 10; then ok "under LD_PRELOAD, the reaper stops within 10 s"; else
	not_ok "under LD_PRELOAD, the reaper stops within 10 s" "still at work: $(holders)"; fi
is "$(grep -c 'rwshim: cannot remove .*imm' "$WORK/.err")" 1 "and says so in one line"
clean_store

# Folders 150 deep under a tree (and so a reaper) limited to 32 descriptors.
deep=$RO/deep$(printf '/d%.0s' $(seq 1 150))
start=$SECONDS
capture timeout -s KILL 60 bash -c "ulimit -n 32 && exec '$RWSHIM_BIN' -- mkdir -p '$deep'"
is "$RC|$ERR" "0|" "folders 150 deep under 'ulimit -n 32': made, and the command returns quietly"
if wait_storage_empty "$STORE" 5 && [ -z "$(holders)" ]; then
	ok "and the storage is removed, nothing left at work"
else
	not_ok "and the storage is removed, nothing left at work" "after $((SECONDS - start)) s: holders $(holders); $(storage_listing "$STORE" | wc -l) entries left"
fi
clean_store
capture bash -c "ulimit -n 32 && LD_PRELOAD='$RWSHIM_LIB' mkdir -p '$deep'"
sleep 1
if wait_no_holders 10 && wait_storage_empty "$STORE" 5; then
	ok "under LD_PRELOAD too, the reaper removes all 150 levels and ends"
else
	not_ok "under LD_PRELOAD too, the reaper removes all 150 levels and ends" "holders $(holders); $(storage_listing "$STORE" | wc -l) entries left"
fi
clean_store
