#!/bin/bash
# SPDX-License-Identifier: MIT
# t-fork-vfork-spawn-with-threads.sh - fork from a multithreaded program
# while other threads are inside hooks never deadlocks the child (300
# forks, each child must finish its hooked calls within 10 s); a vfork child
# writes and reads in the read-only folder before exec; posix_spawn's file
# actions open paths in the merged view. Tree scope and process scope.
lower_extra() {
	mkdir "$1/t" && printf 'lower\n' >"$1/t/lower.txt"
}
. "$(dirname "$0")/lib.sh"
plan 8

T=${RW_PROBE%/*}/rw_threads

for scope in tree process; do
	if [ -n "${RWSHIM_SANITIZE:-}" ]; then
		# gcc 12's AddressSanitizer does not hold its allocator's lock across
		# fork: a child that allocates can hang in ASan itself.
		skip "$scope scope: fork from threads: ASan's allocator is not fork-safe"
	else
		capture timeout 300 env RWSHIM_SCOPE=$scope LD_PRELOAD="$RWSHIM_LIB" "$T" fork "$RO/t" 300
		is "$RC:$OUT" "0:ok forks=300 with 4 threads in hooks" \
			"$scope scope: 300 forks while 4 threads loop in hooks; every child finished its hooked calls"
	fi

	capture timeout 60 env RWSHIM_SCOPE=$scope LD_PRELOAD="$RWSHIM_LIB" "$T" vfork "$RO/t"
	want="ok vfork child wrote, read and exec'd"
	# In tree scope the exec'd cat prints the file; in process scope it would
	# have an overlay of its own, so the child execs true.
	[ $scope = tree ] && want="from vfork child
$want"
	is "$RC:$OUT" "0:$want" \
		"$scope scope: a vfork child opens for writing and reads before exec; the parent reads its file"

	capture timeout 60 env RWSHIM_SCOPE=$scope LD_PRELOAD="$RWSHIM_LIB" "$T" spawn "$RO/t"
	is "$RC:$OUT" "0:ok posix_spawn file actions opened paths in the merged view" \
		"$scope scope: posix_spawn file actions open a new file in the read-only folder and an overlay-only file"
	ERR=
	assert_storage_empty "$scope scope: the storage is removed after the runs"
done
