#!/bin/bash
# SPDX-License-Identifier: MIT
# t-cleared-environment-keeps-session.sh - a child started with a cleared or
# rebuilt environment (env -i, env -u, execve with its own envp) stays in
# the tree's session, as fakechroot keeps its variables across exec: it reads
# what its parent wrote, and its parent reads what it wrote.
. "$(dirname "$0")/lib.sh"
# scripts/sanitize loads ASan through /etc/ld.so.preload and its settings
# through ASAN_OPTIONS: env -i drops them, and ASan then refuses to run.
[ -z "${RWSHIM_SANITIZE:-}" ] || skip_all "env -i drops ASAN_OPTIONS, which the sanitizer run needs"
plan 9

capture shim sh -c "echo parent > '$RO/x'; env -i /bin/cat '$RO/x'"
is "$OUT" "parent" "under rwshim: env -i cat reads the parent's overlay file"

capture preload sh -c "echo parent > '$RO/x'; env -i /bin/cat '$RO/x'"
is "$OUT" "parent" "under LD_PRELOAD: env -i cat reads the parent's overlay file"

capture shim sh -c "echo parent > '$RO/x'; env -i PATH=/usr/bin:/bin sh -c 'cat $RO/x'"
is "$OUT" "parent" "env -i PATH=... sh -c (execve with its own envp) reads the parent's file"

capture shim sh -c "echo parent > '$RO/x'; env -u RWSHIM_SESSION cat '$RO/x'"
is "$OUT" "parent" "a child whose envp drops RWSHIM_SESSION (LD_PRELOAD kept) reads the parent's file"

capture shim sh -c "env -i /bin/sh -c 'echo child > $RO/y'; cat '$RO/y'"
is "$OUT" "child" "the parent reads what an env -i child wrote into the read-only folder"

capture shim python3 -c "
import os
open('$RO/z', 'w').write('py-parent\n')
pid = os.fork()
if pid == 0:
    os.execve('/bin/cat', ['cat', '$RO/z'], {})
os.waitpid(pid, 0)
"
is "$OUT" "py-parent" "python os.execve with an empty environment: the child reads the parent's file"

capture shim sh -c "echo parent > '$RO/x'; env -i /bin/sh -c 'env -i /bin/cat $RO/x'"
is "$OUT" "parent" "two generations of env -i in a row still read the tree's overlay"

capture shim sh -c "env -i /bin/sh -c 'echo a > $RO/a'; env -i /bin/sh -c 'cat $RO/a'"
is "$OUT" "a" "two env -i siblings share one overlay"
ERR=
assert_storage_empty "the storage is removed after the runs"
