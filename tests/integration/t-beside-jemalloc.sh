#!/bin/bash
# SPDX-License-Identifier: MIT
# t-beside-jemalloc.sh - rwshim preloaded beside an allocator that opens
# files while it starts (Debian's libjemalloc2 reads /proc and /sys; with
# fakechroot, dlsym -> calloc -> a hooked call used to deadlock): both
# orders of LD_PRELOAD, with jemalloc's background thread, under the command.
. "$(dirname "$0")/lib.sh"

J=
for f in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/*/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
	[ -f "$f" ] && J=$f && break
done
[ -n "$J" ] || skip_all "libjemalloc2 is not installed (apt-get install libjemalloc2)"
# scripts/sanitize preloads AddressSanitizer, whose malloc cannot share a
# process with another allocator.
[ -z "${RWSHIM_SANITIZE:-}" ] || skip_all "under AddressSanitizer no second allocator can be preloaded"
plan 6

for order in "$J:$RWSHIM_LIB" "$RWSHIM_LIB:$J"; do
	name="jemalloc first"
	[ "${order%%:*}" = "$RWSHIM_LIB" ] && name="rwshim first"
	capture timeout 30 env LD_PRELOAD="$order" sh -c "echo hi > '$RO/j'; cat '$RO/j'; grep -c libjemalloc /proc/self/maps >/dev/null && echo jemalloc-loaded"
	is "$RC:$OUT" "0:hi
jemalloc-loaded" "$name: a shell writes and reads in the read-only folder, jemalloc loaded"
	capture timeout 30 env LD_PRELOAD="$order" MALLOC_CONF=background_thread:true python3 -c "
import os
last = {}
for i in range(200):
    last[i % 10] = 'x' * 1000 * (i % 7)
    open('$RO/py.%d' % (i % 10), 'w').write(last[i % 10])
os.rename('$RO/py.1', '$RO/py.renamed')
names = os.listdir('$RO')
print(sum(n.startswith('py.') for n in names), open('$RO/py.renamed').read() == last[1])"
	is "$RC:$OUT" "0:10 True" "$name: python3 with jemalloc's background thread writes, renames and lists"
done
capture timeout 30 env LD_PRELOAD="$J" "$RWSHIM_BIN" -- sh -c "echo cmd > '$RO/k'; cat '$RO/k'; grep -c libjemalloc /proc/self/maps >/dev/null && echo jemalloc-loaded"
is "$RC:$OUT" "0:cmd
jemalloc-loaded" "under the rwshim command with jemalloc already in LD_PRELOAD"
ERR=
assert_storage_empty "the storage is removed after the runs"
