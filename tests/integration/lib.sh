# SPDX-License-Identifier: MIT
# tests/integration/lib.sh - sourced by every t-*.sh test (bash).
#
# On sourcing it:
#  1. re-executes the test inside a private mount namespace (unshare -m, or
#     unshare -r -m for a non-root user where user namespaces are allowed),
#     so every mount below vanishes with the test;
#  2. mounts a tmpfs work folder under the build tree (never under $srcdir:
#     make distcheck makes that read-only), holding
#       $RO     the lower tree: filled, then remounted read-only,
#       $RW     an ordinary writable folder,
#       $STORE  the storage folder (exported as RWSHIM_TMPDIR), empty;
#  3. proves that a write into $RO fails with EROFS, or bails out;
#  4. records a checksum and mode listing of $RO.
# When the test exits it asserts that $RO is byte-identical to the listing
# and that $STORE is empty again (two TAP results that plan() counts).
#
# A test may define lower_extra() before sourcing this file to add files to
# the lower tree (called with the lower's path while it is still writable).
#
# Environment from Makefile.am's AM_TESTS_ENVIRONMENT: RWSHIM_LIB (built
# librwshim.so), RWSHIM_BIN (built rwshim command), RW_PROBE (the probe).
# RWSHIM_NO_SKIP=1 turns every skip into a failure (CI runs everything).

# --- TAP --------------------------------------------------------------------

RW_TEST_NAME=$(basename "$0" .sh)
RW_NTEST=0
RW_NFAIL=0
RW_FINAL_CHECKS=2	# lower unchanged, storage empty: added by finish
RW_READY=0

# TAP directives are one line: squeeze newlines and runs of blanks.
one_line() {
	printf '%s' "$1" | tr -s '\n\t ' '   '
}

# Leave the test at once with a TAP "Bail out!" (an error, never a pass).
bail_out() {
	RW_READY=0
	echo "Bail out! $RW_TEST_NAME: $(one_line "$*")"
	exit 1
}

# Skip the whole test with REASON; under RWSHIM_NO_SKIP=1 that is an error.
skip_all() {
	RW_READY=0
	if [ "${RWSHIM_NO_SKIP:-0}" = 1 ]; then
		echo "Bail out! $RW_TEST_NAME would skip ($(one_line "$*")), but RWSHIM_NO_SKIP=1 requires every test to run"
		exit 1
	fi
	echo "1..0 # SKIP $(one_line "$*")"
	exit 0
}

# plan N: N is the number of the test's own assertions.
plan() {
	echo "1..$(($1 + RW_FINAL_CHECKS))"
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

ok() {
	RW_NTEST=$((RW_NTEST + 1))
	echo "ok $RW_NTEST - $*"
}

# not_ok DESC [DIAGNOSTIC...]
not_ok() {
	RW_NTEST=$((RW_NTEST + 1))
	RW_NFAIL=$((RW_NFAIL + 1))
	echo "not ok $RW_NTEST - $1"
	shift
	[ $# -gt 0 ] && diag "$@"
	[ -n "${ERR:-}" ] && diag "stderr of the last captured command:" "$ERR"
	return 0
}

# skip REASON: one assertion that cannot run here; an error under RWSHIM_NO_SKIP=1.
skip() {
	if [ "${RWSHIM_NO_SKIP:-0}" = 1 ]; then
		not_ok "skipped, but RWSHIM_NO_SKIP=1: $*"
		return 0
	fi
	RW_NTEST=$((RW_NTEST + 1))
	echo "ok $RW_NTEST # SKIP $*"
}

# is GOT EXPECTED DESC: exact comparison; a unified diff on failure.
is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "got:" "$1" "expected:" "$2" "diff (- expected, + got):" \
			"$(diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$1") | tail -n +3)"
	fi
}

# isnt GOT UNWANTED DESC: GOT is anything but UNWANTED.
isnt() {
	if [ "$1" != "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "got the unwanted value: '$1'"
	fi
}

# like GOT ERE DESC: GOT matches the extended regular expression.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok "$3"
	else
		not_ok "$3" "expected to match: $2" "got:" "$1"
	fi
}

# check DESC CMD...: CMD exits 0.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "command failed ($?): $*" "$out"
	fi
}

# --- running things ---------------------------------------------------------

# capture CMD...: run CMD; sets OUT, ERR (trailing newlines stripped) and RC.
capture() {
	"$@" >"$WORK/.out" 2>"$WORK/.err"
	RC=$?
	OUT=$(cat "$WORK/.out")
	ERR=$(cat "$WORK/.err")
}

# shim CMD...: CMD under the rwshim command.
shim() {
	"$RWSHIM_BIN" -- "$@"
}

# preload CMD...: CMD with the library preloaded directly, no command.
preload() {
	LD_PRELOAD=$RWSHIM_LIB "$@"
}

probe() {
	"$RW_PROBE" "$@"
}

# lines TEXT: the number of lines in TEXT (0 for "").
lines() {
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi
}

# wait_for_file PATH [SECONDS]: poll until PATH exists (default 10 s).
wait_for_file() {
	local i=0
	while [ ! -e "$1" ]; do
		[ "$i" -ge $((${2:-10} * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

# group_pids ID: the processes whose process group or session is ID.
group_pids() {
	local id=$1 f st pid
	for f in /proc/[0-9]*/stat; do
		st=$(cat "$f" 2>/dev/null) || continue
		pid=${f#/proc/}
		pid=${pid%/stat}
		# Fields after the command name: state ppid pgrp session ...
		# shellcheck disable=SC2086
		set -- ${st##*) }
		# A zombie is dead already; only its parent's wait can remove it.
		case $1 in Z | X) continue ;; esac
		if [ "$3" = "$id" ] || [ "$4" = "$id" ]; then
			echo "$pid"
		fi
	done
}

# kill_tree ID: SIGKILL every process of process group and session ID at once.
kill_tree() {
	local pids
	pids=$(group_pids "$1")
	diag "kill -9: $(for p in $pids; do printf '%s(%s) ' "$p" "$(cat /proc/"$p"/comm 2>/dev/null)"; done)"
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	return 0
}

# --- the storage folder -----------------------------------------------------

storage_listing() {
	find "$1" -mindepth 1 2>/dev/null | sort
}

# wait_storage_empty DIR [SECONDS]: poll until DIR has no entries (default
# 10 s). The rwshim command removes the storage before it returns; under
# plain LD_PRELOAD the library's reaper does it shortly after the tree exits.
wait_storage_empty() {
	local dir=$1 limit=${2:-10} i=0
	while [ -n "$(storage_listing "$dir")" ]; do
		[ "$i" -ge $((limit * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

# assert_storage_empty DESC [SECONDS]
assert_storage_empty() {
	if wait_storage_empty "$STORE" "${2:-10}"; then
		ok "$1"
	else
		not_ok "$1" "left in $STORE:" "$(storage_listing "$STORE" | head -50)"
	fi
}

# --- the lower tree ---------------------------------------------------------

# Everything that identifies the lower tree: each entry's type, mode, owner,
# size, mtime and link target, every file's sha256, and an ls -laR.
lower_snapshot() {
	(
		cd "$RO" || exit 1
		LC_ALL=C find . -printf '%y %m %U:%G %s %T@ %p -> %l\n' | LC_ALL=C sort
		LC_ALL=C find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
		LC_ALL=C ls -lAR --time-style=+%s.%N .
	)
}

default_lower() {
	local d=$1
	mkdir -p "$d/sub/deep" "$d/empty" "$d/conf" "$d/bin"
	printf 'hello from the lower\n' >"$d/hello.txt"
	printf 'line one\n' >"$d/log.txt"
	printf 'key=old\nother=1\n' >"$d/conf/app.conf"
	chmod 0640 "$d/conf/app.conf"
	printf 'deep content\n' >"$d/sub/deep/file.txt"
	printf 'sub content\n' >"$d/sub/file.txt"
	printf 'delete me\n' >"$d/victim.txt"
	printf '#!/bin/sh\necho script ran\n' >"$d/bin/script.sh"
	chmod 0755 "$d/bin/script.sh"
	ln -s hello.txt "$d/link-to-hello"
	# Fixed times, so the snapshot shows any change a copy-up might make.
	find "$d" -exec touch -h -d '2020-01-02 03:04:05' {} +
}

# --- setup and teardown -----------------------------------------------------

finish() {
	local rc=$? after
	trap - EXIT
	ERR=
	# Stop whatever the test left running in the background.
	local j
	for j in $(jobs -p); do kill -9 "$j" 2>/dev/null; done
	wait 2>/dev/null
	if [ "$RW_READY" = 1 ]; then
		after=$(lower_snapshot 2>&1)
		if [ "$after" = "$RW_LOWER_BEFORE" ]; then
			ok "the read-only lower is unchanged byte for byte"
		else
			not_ok "the read-only lower is unchanged byte for byte" "diff (- before, + after):" \
				"$(diff -u <(printf '%s\n' "$RW_LOWER_BEFORE") <(printf '%s\n' "$after") | tail -n +3)"
		fi
		assert_storage_empty "nothing is left in the storage folder"
		# Failures are in the TAP results; a non-zero exit would only add
		# an ERROR line per test file. Bail-outs keep their status.
		rc=0
	fi
	if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
		cd / || :
		umount -R -l "$WORK" 2>/dev/null
		rmdir "$WORK" "${WORK%/*}" 2>/dev/null
	fi
	exit "$rc"
}

rw_setup() {
	local top me err

	for v in RWSHIM_LIB RWSHIM_BIN RW_PROBE; do
		[ -n "${!v:-}" ] || bail_out "$v is not set; run through make check (AM_TESTS_ENVIRONMENT)"
	done
	[ -f "$RWSHIM_LIB" ] || bail_out "library not built: $RWSHIM_LIB"
	[ -x "$RWSHIM_BIN" ] || bail_out "command not built: $RWSHIM_BIN"
	[ -x "$RW_PROBE" ] || bail_out "probe not built: $RW_PROBE"

	# A private mount namespace first, so our mounts never reach the host.
	if [ -z "${RWSHIM_TEST_NS:-}" ]; then
		command -v unshare >/dev/null 2>&1 || skip_all "unshare (util-linux) not found"
		me=$(readlink -f "$0")
		export RWSHIM_TEST_NS=1
		if unshare -m --propagation private true 2>/dev/null; then
			exec unshare -m --propagation private "$BASH" "$me" "$@"
		elif unshare -r -m --propagation private true 2>/dev/null; then
			exec unshare -r -m --propagation private "$BASH" "$me" "$@"
		fi
		skip_all "cannot make a private mount namespace (needs root or user namespaces)"
	fi

	# Work under the build tree: RW_PROBE is $(abs_top_builddir)/tests/helpers/rw_probe.
	top=${RW_PROBE%/tests/helpers/rw_probe}
	[ "$top" != "$RW_PROBE" ] || top=$PWD
	WORK=$top/tests/integration/work/$RW_TEST_NAME.$$
	# Another test that just ended may remove the shared parent: try again.
	mkdir -p "$WORK" 2>/dev/null || mkdir -p "$WORK" 2>/dev/null || mkdir -p "$WORK" ||
		bail_out "cannot make $WORK"
	trap finish EXIT
	err=$(mount -t tmpfs -o size=256m,mode=0755 rwshim-test "$WORK" 2>&1) ||
		skip_all "cannot mount a tmpfs ($err)"

	RO=$WORK/ro
	RW=$WORK/rw
	STORE=$WORK/storage
	mkdir -p "$RO" "$RW" "$STORE"
	err=$(mount -t tmpfs -o size=64m,mode=0755 rwshim-lower "$RO" 2>&1) ||
		skip_all "cannot mount the lower tmpfs ($err)"
	default_lower "$RO"
	if declare -F lower_extra >/dev/null; then
		lower_extra "$RO" || bail_out "lower_extra failed"
	fi
	# A superblock remount where we may; in a user namespace only the mount
	# flag can change (remount,bind,ro), which refuses writes just the same.
	err=$(mount -o remount,ro "$RO" 2>&1) ||
		err=$(mount -o remount,bind,ro "$RO" 2>&1) ||
		skip_all "cannot remount the lower read-only ($err)"

	# Proof, before any assertion, that the lower refuses writes with EROFS.
	err=$( (: >"$RO/.rwshim-proof") 2>&1)
	case $err in
	*"Read-only file system"*) ;;
	*) bail_out "a write into the lower did not fail with EROFS: '$err'" ;;
	esac
	err=$("$RW_PROBE" open-w "$RO/.rwshim-proof" x)
	[ "$err" = EROFS ] || bail_out "open(O_WRONLY|O_CREAT) in the lower gave '$err', not EROFS"
	[ ! -e "$RO/.rwshim-proof" ] || bail_out "the lower accepted a file"

	RW_LOWER_BEFORE=$(lower_snapshot 2>&1)
	export RWSHIM_TMPDIR=$STORE
	unset LD_PRELOAD RWSHIM_SESSION RWSHIM_PATHS RWSHIM_EXCLUDE RWSHIM_SCOPE RWSHIM_KEEP
	unset RWSHIM_EACCES RWSHIM_REPORT RWSHIM_LOG RWSHIM_AUDIT
	export LC_ALL=C
	cd "$WORK" || bail_out "cannot cd to $WORK"
	diag "lower (read-only): $RO" "writable: $RW" "storage: $STORE"
	RW_READY=1
}

rw_setup "$@"
