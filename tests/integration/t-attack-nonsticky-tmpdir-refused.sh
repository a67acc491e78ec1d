#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-nonsticky-tmpdir-refused.sh - finding 8 (docs/SECURITY.md): a
# shared temporary folder without the sticky bit (0777) lets any user
# rename or remove the storage: it is refused with one line. The command
# exits 125 (README: an unusable setting); under LD_PRELOAD writes fail as
# before; nothing is made there.
. "$(dirname "$0")/lib.sh"
plan 5

mkdir -m 0777 "$RW/shared" && chmod 0777 "$RW/shared"
capture "$RWSHIM_BIN" --tmpdir "$RW/shared" -- sh -c "echo x > '$RO/x'"
is "$RC" 125 "the command refuses --tmpdir at a 0777 folder without the sticky bit (exit 125)"
is "$(printf '%s\n' "$ERR" | grep -c '^rwshim:')" 1 "with one line"
capture env RWSHIM_TMPDIR="$RW/shared" "$RWSHIM_BIN" -- true
is "$RC" 125 "the command refuses RWSHIM_TMPDIR at such a folder too (exit 125)"
capture env RWSHIM_TMPDIR="$RW/shared" LD_PRELOAD="$RWSHIM_LIB" "$RW_PROBE" open-w "$RO/x" x
is "$OUT:$(printf '%s\n' "$ERR" | grep -c '^rwshim:')" "EROFS:1" "under LD_PRELOAD the write fails as before, with one line"
is "$(ls -A "$RW/shared")" "" "nothing was made in the shared folder"
