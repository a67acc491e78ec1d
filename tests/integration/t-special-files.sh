#!/bin/bash
# SPDX-License-Identifier: MIT
# t-special-files.sh - mkfifo, mknod (and the old __xmknod), and unix
# sockets bound in a read-only tree give what they give on a writable copy
# of it: the node is made in the overlay, a fifo carries data from a writer
# to a reader, a socket server bound in the tree takes a client's connection,
# and getsockname/getpeername give the path the program knows.
lower_extra() {
	ln -s loop2 "$1/loop1"
	ln -s loop1 "$1/loop2"
	ln -s nowhere "$1/dangling"
}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conform.sh"
plan 19

is "$(probe mkfifo "$RO/f")" EROFS "without rwshim mkfifo() in the read-only tree fails with EROFS"

# --- fifos and nodes ---------------------------------------------------------
conform "mkfifo, mkfifoat and __xmknod make fifos" \
	'$P mkfifo $T/f && $P meta $T/f; $P mkfifoat $T/sub g && $P meta $T/sub/g; $P xmknod $T/x && $P meta $T/x; ls $T $T/sub'
conform "mknod of each type: fifo, socket, regular file, char device; EPERM for a folder, EINVAL for no type" \
	'for t in fifo sock reg chr; do $P mknod $T/n-$t $t && $P meta $T/n-$t; done; $P mknod $T/n-dir dir; $P mknod $T/n-bad bad; $P mknod $T/hello.txt dir'
conform "mkfifo errors: EEXIST (files, links, folders), ENOENT, ENOTDIR, ELOOP, trailing slash" \
	'$P mkfifo $T/hello.txt; $P mkfifo $T/link-to-hello; $P mkfifo $T/dangling; $P mkfifo $T/sub; $P mkfifo $T/none/f; $P mkfifo $T/hello.txt/f; $P mkfifo $T/loop1/f; $P mkfifo $T/new/'
conform "mkfifo where a deleted file stood, and in a folder made in the overlay" \
	'rm $T/victim.txt && $P mkfifo $T/victim.txt && $P meta $T/victim.txt; mkdir $T/nd && $P mkfifo $T/nd/f && $P meta $T/nd/f'
conform "mkfifo(1), then a writer and a reader" \
	'mkfifo -m 0600 $T/sub/pipe && (echo "through the fifo" > $T/sub/pipe &) && cat $T/sub/pipe && $P meta $T/sub/pipe'
conform "a fifo made in the overlay can be removed and made again" \
	'mkfifo $T/p && rm $T/p && $P meta $T/p; mkfifo $T/p && $P meta $T/p'

# --- unix sockets -------------------------------------------------------------
conform "bind makes the socket; getsockname gives the path bound" \
	'$P bind $T/sub/s.sock && $P meta $T/sub/s.sock; ls $T/sub'
conform "bind with a relative path keeps it relative for getsockname" \
	'cd $T/sub && $P bind rel.sock && $P meta rel.sock'
conform "bind errors: EADDRINUSE (files, links, sockets), ENOENT, ENOTDIR, ELOOP" \
	'$P bind $T/hello.txt; $P bind $T/dangling; $P bind $T/sub/s && $P bind $T/sub/s; $P bind $T/none/s; $P bind $T/hello.txt/s; $P bind $T/loop1/s; $P bind $T/new/'
conform "a server and a client in one process: connect, accept, names of both ends" \
	'$P unix-echo $T/sub/deep/echo.sock; cd $T/sub && $P unix-echo rel.sock'
conform "connect errors: ENOENT, ECONNREFUSED for a file and a dead socket, ENOTDIR, ELOOP" \
	'$P connect $T/none; $P connect $T/hello.txt; $P bind $T/dead >/dev/null && $P connect $T/dead; $P connect $T/hello.txt/x; $P connect $T/loop1/x'
conform "a socket in a folder only the overlay has, where the storage path is long" \
	'mkdir -p $T/a/very/long/folder/name/that/makes/the/storage/path/too/long && $P unix-echo $T/a/very/long/folder/name/that/makes/the/storage/path/too/long/s'
conform "a socket where a deleted file stood" \
	'rm $T/victim.txt && $P unix-echo $T/victim.txt && $P meta $T/victim.txt'

if command -v python3 >/dev/null 2>&1; then
	cat >"$WORK/server.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept()
c.sendall(c.recv(100).upper())
print("server", s.getsockname())
PY
	cat >"$WORK/client.py" <<'PY'
import socket, sys
c = socket.socket(socket.AF_UNIX)
c.connect(sys.argv[1])
c.sendall(b"hello from the client")
print("client", c.recv(100).decode(), c.getpeername())
PY
	conform "a python3 server bound in the tree and a client in another process" \
		"timeout 20 python3 $WORK/server.py \$T/sub/srv.sock >\$T.server-out & i=0; while [ ! -e \$T/sub/srv.sock.ready ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i+1)); done; timeout 20 python3 $WORK/client.py \$T/sub/srv.sock; wait; cat \$T.server-out; ls \$T/sub"
	conform "abstract sockets pass through untouched" \
		'python3 -c "import socket,os; s=socket.socket(socket.AF_UNIX); s.bind(\"\\0rwshim-test-%d\" % os.getpid()); print(s.getsockname()[:13])"'
else
	skip "python3 not found"
	skip "python3 not found"
fi

# --- outside the merged view -------------------------------------------------
# (relative: a socket's path has 108 bytes, less than a deep checkout's)
capture sh -c "cd '$RW' && '$RWSHIM_BIN' -- '$RW_PROBE' bind w.sock"
is "$OUT:$(stat -c %F "$RW/w.sock")" "ok w.sock:socket" "a socket in a writable folder is bound there for real"
capture shim "$RW_PROBE" mkfifo "$RW/w.fifo"
is "$OUT:$(stat -c %F "$RW/w.fifo")" "ok:fifo" "a fifo in a writable folder is made there for real"
capture shim "$RW_PROBE" mknod /proc/self/nope fifo
isnt "$OUT" ok "mknod under /proc is never redirected"
