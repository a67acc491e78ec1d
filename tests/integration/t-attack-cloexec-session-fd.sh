#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-cloexec-session-fd.sh - finding 11 (docs/SECURITY.md): a process
# that sets FD_CLOEXEC on the session descriptor and execs loses the
# descriptor, not the tree: the new program still shares the tree's
# overlay and sees what the tree wrote. Both for root, and for uid 65534
# in a root tree (which may pass through the session folder but not read it).
. "$(dirname "$0")/lib.sh"
plan 2

chmod 0755 "$WORK" "$RW"
cat >"$RW/cloexec.py" <<'PY'
import fcntl, os, sys
fd = int(os.environ["RWSHIM_SESSION"].split(":", 1)[0])
fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
os.execvp("cat", ["cat", sys.argv[1]])
PY
capture shim sh -c "echo tree > '$RO/written'; python3 '$RW/cloexec.py' '$RO/written'"
is "$OUT" "tree" "root: after FD_CLOEXEC on the session descriptor and exec, the program sees the tree's file"
capture shim sh -c "echo tree > '$RO/written'; chmod 0644 '$RO/written'; setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 '$RW/cloexec.py' '$RO/written'"
is "$OUT" "tree" "uid 65534 in a root tree: after FD_CLOEXEC and exec, the program sees the tree's file"
