#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-exclusions-where-path-resolves.sh - finding 9 (docs/SECURITY.md):
# exclusions (/proc, /sys, /dev) are checked where a path resolves, not on
# the path as written. A read-only folder holds k -> /proc/sys/kernel and
# s -> /sys/kernel; writes through them fail under rwshim as they do
# without it, and the overlay holds nothing for them. /proc/sys and /sys
# are made read-only in this test's mount namespace and the writes run in
# a private UTS namespace, so nothing of the host can change.
lower_extra() {
	ln -s /proc/sys/kernel "$1/k" && ln -s /sys/kernel "$1/s"
}
. "$(dirname "$0")/lib.sh"
plan 5
mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys ||
	skip_all "cannot make /proc/sys read-only here"
mount --bind /sys /sys && mount -o remount,bind,ro /sys || skip_all "cannot make /sys read-only here"
unshare -u true 2>/dev/null || skip_all "cannot make a UTS namespace"

plain_k=$(unshare -u "$RW_PROBE" open-w "$RO/k/domainname" x)
plain_s=$(unshare -u "$RW_PROBE" open-w "$RO/s/rwshim-new" x)
is "$plain_k:$plain_s" "EROFS:EROFS" "without rwshim both writes fail with EROFS"
capture unshare -u "$RWSHIM_BIN" -- sh -c "
	'$RW_PROBE' open-w '$RO/k/domainname' x
	'$RW_PROBE' open-w '$RO/k/rwshim-new' x
	'$RW_PROBE' open-w '$RO/s/rwshim-new' x
	env -u LD_PRELOAD find \"\${RWSHIM_SESSION#*:}\" \\( -path '*/proc/*' -o -path '*/sys/*' -o -path '*$RO/k*' -o -path '*$RO/s*' \\) -print | wc -l"
set -- $OUT
is "${1:-}" "$plain_k" "under rwshim the write to k/domainname fails as it would without ($plain_k)"
is "${2:-}" EROFS "under rwshim a new file in k/ fails with EROFS"
is "${3:-}" "$plain_s" "under rwshim a new file in s/ (/sys/kernel) fails as it would without ($plain_s)"
is "${4:-}" 0 "the overlay holds nothing for /proc or /sys"
