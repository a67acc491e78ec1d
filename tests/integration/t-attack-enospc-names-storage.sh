#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-enospc-names-storage.sh - finding 16 (docs/SECURITY.md): when the
# storage is full, one line on stderr says which storage: dd into a 1 MiB
# storage prints one "rwshim:" line naming the storage folder.
. "$(dirname "$0")/lib.sh"
plan 3

mount -t tmpfs -o size=1m,mode=0755 rwshim-small "$STORE" || bail_out "cannot mount a small tmpfs"
capture shim dd if=/dev/zero of="$RO/big" bs=64k count=40
isnt "$RC" 0 "dd into a 1 MiB storage fails"
is "$(printf '%s\n' "$ERR" | grep -c '^rwshim:')" 1 "exactly one rwshim: line"
like "$(printf '%s\n' "$ERR" | grep '^rwshim:')" "$STORE" "and it names the storage folder ($STORE)"
