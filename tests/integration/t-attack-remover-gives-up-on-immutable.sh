#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-remover-gives-up-on-immutable.sh - finding 7 (docs/SECURITY.md):
# removers make progress or give up with one line. A file in the storage
# made immutable (chattr +i) cannot be removed: `rwshim -- COMMAND` must
# still return within a bounded time with one line, and no remover may be
# left spinning.
. "$(dirname "$0")/lib.sh"
plan 3
command -v chattr >/dev/null || skip_all "chattr (e2fsprogs) not found"
probe_f=$STORE/.chattr-probe
: >"$probe_f"
if ! chattr +i "$probe_f" 2>/dev/null; then
	rm -f "$probe_f"
	skip_all "the storage filesystem does not support chattr +i"
fi
chattr -i "$probe_f"; rm -f "$probe_f"

start=$(date +%s)
capture timeout -s KILL 15 "$RWSHIM_BIN" -- sh -c "echo x > '$RO/stuck' && env -u LD_PRELOAD chattr +i \"\${RWSHIM_SESSION#*:}/upper$RO/stuck\" && echo immutable"
took=$(( $(date +%s) - start ))
diag "rc=$RC took=${took}s out=$OUT"
ok_rc=$([ "$RC" != 137 ] && [ "$took" -le 10 ] && echo yes || echo no)
is "$OUT:$ok_rc" "immutable:yes" "rwshim returns within 10 s although the storage holds an immutable file (rc $RC, ${took}s)"
is "$(printf '%s\n' "$ERR" | grep -c '^rwshim:')" 1 "it says so in one line"
# Any remover of this storage still running after a second, and its CPU use.
sleep 1
spin=
for p in /proc/[0-9]*; do
	ls -l "$p/fd" 2>/dev/null | grep -q "$STORE" || continue
	t1=$(awk '{print $14 + $15}' "$p/stat" 2>/dev/null); sleep 0.5
	t2=$(awk '{print $14 + $15}' "$p/stat" 2>/dev/null)
	[ -n "$t1" ] && [ -n "$t2" ] && [ $((t2 - t1)) -ge 25 ] && spin="$spin ${p#/proc/}($(cat "$p/comm"))"
done
is "$spin" "" "no process is left spinning on the storage"
# Clean up: let the storage go.
find "$STORE" -type f -exec chattr -i {} + 2>/dev/null
for p in /proc/[0-9]*; do
	ls -l "$p/fd" 2>/dev/null | grep -q "$STORE" && kill -9 "${p#/proc/}" 2>/dev/null
done
rm -rf "${STORE:?}"/* 2>/dev/null
ERR=
