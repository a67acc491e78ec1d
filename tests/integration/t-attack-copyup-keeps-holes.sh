#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-copyup-keeps-holes.sh - finding 13 (docs/SECURITY.md): a copy-up
# keeps holes. Appending 2 bytes to a 300 MiB sparse read-only file must not
# write 300 MiB into the storage (here a 64 MiB tmpfs: a dense copy fails).
lower_extra() {
	truncate -s 300M "$1/sparse.bin" && printf 'end' >>"$1/sparse.bin"
}
. "$(dirname "$0")/lib.sh"
plan 3

mount -t tmpfs -o size=64m,mode=0755 rwshim-store "$STORE" || bail_out "cannot mount the storage tmpfs"
capture shim sh -c "printf 'xy' >> '$RO/sparse.bin' && stat -c '%s %b %B' '$RO/sparse.bin' && tail -c 5 '$RO/sparse.bin'; echo; df -k --output=used '$STORE' | tail -n 1"
set -- $OUT
is "$RC:${1:-}" "0:314572805" "the append to the sparse file succeeds (size $((300 * 1048576 + 5)))"
is "${4:-}" "endxy" "the file ends with the old and the new bytes"
# The storage is its own tmpfs: what it uses is what the copy takes.
kib=${5:-999999}
[ "$kib" -lt 4096 ] && ok "the storage uses ${kib} KiB, far below 300 MiB" ||
	not_ok "the storage uses far below 300 MiB" "KiB used on the storage's tmpfs: $kib" "out: $OUT"
