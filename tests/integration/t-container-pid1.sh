#!/bin/bash
# SPDX-License-Identifier: MIT
# t-container-pid1.sh - the container recipe without a container engine:
# a read-only root (a tmpfs "image" holding /var/log, /run, /tmp and a
# service script, with the host's /usr and /etc bound read-only, remounted
# read-only), entered with chroot in a new PID namespace whose PID 1 is
# rwshim, as `docker run --read-only IMAGE rwshim -- /srv/service` would run.
# The service writes to /var/log, /run and /tmp, reads back, and leaves a
# worker in the background; rwshim puts its storage in /dev/shm (the one
# writable place, as in a container), waits for the worker, passes the exit
# status through, forwards SIGTERM (docker stop), and removes the storage.
. "$(dirname "$0")/lib.sh"
plan 13

root=$WORK/root
mkdir -p "$root"
mount -t tmpfs -o size=16m,mode=0755 rwshim-image "$root" || bail_out "cannot mount the image tmpfs"
mkdir -p "$root"/{usr,etc,dev,proc,var/log,run,tmp,srv,opt/rwshim}
chmod 1777 "$root/tmp"
# The host's /usr and /etc, read-only; bin, lib and sbin as the host has them.
for d in usr etc; do
	mount --bind "/$d" "$root/$d" && mount -o remount,bind,ro "$root/$d" ||
		bail_out "cannot bind /$d read-only into the image"
done
for d in bin sbin lib lib32 lib64 libx32; do
	if [ -L "/$d" ]; then
		ln -s "$(readlink "/$d")" "$root/$d"
	elif [ -d "/$d" ]; then
		mkdir "$root/$d"
		mount --bind "/$d" "$root/$d" && mount -o remount,bind,ro "$root/$d" ||
			bail_out "cannot bind /$d read-only into the image"
	fi
done
mount --rbind /dev "$root/dev" || bail_out "cannot bind /dev into the image"
# /dev/shm is the container's writable tmpfs: lib.sh's storage folder, which
# it checks is empty when the test ends.
mount --bind "$STORE" "$root/dev/shm" || bail_out "cannot bind the storage folder on /dev/shm"
# The command and the library under test, at fixed places in the image.
: >"$root/opt/rwshim/rwshim"
: >"$root/opt/rwshim/librwshim.so"
mount --bind "$RWSHIM_BIN" "$root/opt/rwshim/rwshim" &&
	mount --bind "$RWSHIM_LIB" "$root/opt/rwshim/librwshim.so" ||
	bail_out "cannot bind rwshim into the image"

cat >"$root/srv/service" <<'EOF'
#!/bin/sh
# A service-like program: it writes its log, pid file and cache, reads them
# back, and leaves a worker behind.
set -e
echo "pid1=$(cat /proc/1/comm) ppid=$PPID"
echo "service started" >>/var/log/service.log
echo $$ >/run/service.pid
mkdir -p /tmp/cache
echo cached >/tmp/cache/item
echo "log=$(cat /var/log/service.log) pid=$(cat /run/service.pid) cache=$(cat /tmp/cache/item)"
echo "storage=$(ls /dev/shm | sed 's/[.].*//')"
if [ "${1:-}" = serve ]; then
	trap 'echo stopping >>/var/log/service.log; echo "stopped: $(tr "\n" " " </var/log/service.log)"; exit 0' TERM
	echo ready
	while :; do sleep 0.1; done
fi
# A worker that outlives the service, as daemons do: rwshim must wait for it.
(
	sleep 0.5
	echo "worker wrote" >>/var/log/service.log
	echo "worker: $(tail -n 1 /var/log/service.log) $(ls /tmp/cache)"
) &
exit 3
EOF
chmod 0755 "$root/srv/service"
find "$root/var" "$root/run" "$root/tmp" "$root/srv" -exec touch -h -d '2020-01-02 03:04:05' {} +
mount -o remount,ro "$root" || bail_out "cannot remount the image read-only"

image_snapshot() {
	(cd "$root" && LC_ALL=C find var run tmp srv -printf '%y %m %s %T@ %p\n' | LC_ALL=C sort)
}
before=$(image_snapshot)

# Proof, before any assertion, that the image refuses writes.
err=$( (: >"$root/var/log/proof") 2>&1)
case $err in
*"Read-only file system"*) ;;
*) bail_out "a write into the image did not fail with EROFS: '$err'" ;;
esac
unshare -p -f --mount-proc="$root/proc" true 2>/dev/null ||
	skip_all "cannot make a PID namespace with its own /proc"
chroot=$(command -v chroot) || skip_all "chroot (coreutils) not found"
unshare=$(command -v unshare)

# container ARG...: run /srv/service ARG... in the image with rwshim as PID 1,
# with a container's clean environment (no RWSHIM_TMPDIR, no TMPDIR).
container() {
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/ LC_ALL=C \
		RWSHIM_LIBRARY=/opt/rwshim/librwshim.so \
		"$unshare" -p -f --mount-proc="$root/proc" \
		"$chroot" "$root" /opt/rwshim/rwshim -- /srv/service "$@"
}

# --- a service that exits: writes, a worker, the exit status -----------------
capture container
is "$(printf '%s\n' "$OUT" | sed -n 1p)" "pid1=rwshim ppid=1" "rwshim is PID 1 and the service's parent"
is "$(printf '%s\n' "$OUT" | sed -n 2p | sed 's/pid=[0-9]*/pid=N/')" \
	"log=service started pid=N cache=cached" \
	"writes to /var/log, /run and /tmp on the read-only root succeed and read back"
is "$(printf '%s\n' "$OUT" | sed -n 3p)" "storage=rwshim" "the storage is in /dev/shm, the one writable place"
is "$(printf '%s\n' "$OUT" | sed -n 4p)" "worker: worker wrote item" \
	"the background worker, orphaned, still writes and reads the overlay"
is "$RC" 3 "the service's exit status 3 is rwshim's"
is "$ERR" "" "nothing on stderr"
is "$(storage_listing "$STORE")" "" "the storage is gone when rwshim returns"
is "$(image_snapshot)" "$before" "the read-only image is unchanged"
is "$(cd "$root" && find var/log run tmp -mindepth 1)" "" "its /var/log, /run and /tmp are still empty"

# --- a service stopped with SIGTERM, as docker stop does ----------------------
container serve >"$WORK/serve.out" 2>"$WORK/serve.err" &
outer=$!
i=0
while ! grep -q '^ready$' "$WORK/serve.out" 2>/dev/null && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
# children PID: the processes whose parent is PID.
children() {
	local f st
	for f in /proc/[0-9]*/stat; do
		st=$(cat "$f" 2>/dev/null) || continue
		# shellcheck disable=SC2086
		set -- ${st##*) }
		if [ "$2" = "$want" ]; then
			f=${f#/proc/}
			echo "${f%/stat}"
		fi
	done
}
# The background job runs env, which execs unshare, which forks PID 1:
# rwshim, through chroot's exec.
pid1=
want=$outer
for u in $(children); do
	want=$u
	for c in $(children); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = rwshim ] && pid1=$c
	done
done
if [ -n "$pid1" ] && grep -q '^ready$' "$WORK/serve.out"; then
	ok "the serving service is up, with rwshim as PID 1 (host pid $pid1)"
	kill -TERM "$pid1"
else
	not_ok "the serving service is up, with rwshim as PID 1" "$(cat "$WORK/serve.out" "$WORK/serve.err")"
	# Do not wait for ever: stop the whole container.
	want=$outer
	for u in $(children); do kill -KILL "$u"; done
fi
rc=0
wait "$outer" || rc=$?
is "$rc" 0 "SIGTERM to rwshim reaches the service, which stops cleanly: exit 0"
is "$(tail -n 1 "$WORK/serve.out")" "stopped: service started stopping " \
	"the service's stop handler still writes and reads its log"
is "$(storage_listing "$STORE"):$(image_snapshot)" ":$before" \
	"after the stop, the storage is gone and the image unchanged"
