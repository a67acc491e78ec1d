#!/bin/bash
# SPDX-License-Identifier: MIT
# t-emfile-at-descriptor-limit.sh - a program at its descriptor limit
# (ulimit -n) gets a correct result or a correct errno (EMFILE), never a
# wrong one, and the hooks leave no descriptor behind; once descriptors are
# free again the same call works. Also a whole tree under a tiny ulimit -n.
. "$(dirname "$0")/lib.sh"
plan 21

F=${RW_PROBE%/*}/rw_fdlimit

# at SPARE OP PATH [TEXT]: rw_fdlimit under rwshim with ulimit -n 64, in a
# live overlay (the tree wrote $RO/live first).
at() {
	capture shim sh -c "echo live > '$RO/live'; ulimit -n 64; '$F' $*"
}

for spare in 0 1; do
	at $spare stat "$RO/live"
	is "$OUT" "ok leaked=0 then=ok" "$spare free descriptors: stat of an overlay file needs none and works"
	at $spare stat "$RO/missing"
	is "$OUT" "ENOENT leaked=0 then=ENOENT" "$spare free: stat of a missing file gives ENOENT"
	at $spare open-r "$RO/live"
	is "$OUT" "$([ $spare = 0 ] && echo EMFILE || echo ok) leaked=0 then=ok" "$spare free: open of an overlay file for reading"
	at $spare open-w "$RO/new.$spare" text
	is "$OUT" "$([ $spare = 0 ] && echo EMFILE || echo ok) leaked=0 then=ok" "$spare free: a new file in the read-only folder"
	at $spare mkdir "$RO/newdir.$spare"
	is "$OUT" "ok leaked=0 then=EEXIST" "$spare free: mkdir in the read-only folder needs no descriptor"
done
for spare in 0 1 2; do
	at $spare open-a "$RO/log.txt" appended
	like "$OUT" "^(ok|EMFILE) leaked=0 then=ok$" "$spare free: a copy-up append gives ok or EMFILE and leaks nothing"
	at $spare readdir "$RO/sub"
	like "$OUT" "^(ok|EMFILE) leaked=0 then=ok$" "$spare free: a merged listing gives ok or EMFILE and leaks nothing"
done
capture shim sh -c "echo live > '$RO/live'; ulimit -n 64; '$F' 1 open-a '$RO/hello.txt' x >/dev/null; cat '$RO/hello.txt'; ls -A \"\${RWSHIM_SESSION#*:}/work\" 2>/dev/null | wc -l"
like "$(printf '%s\n' "$OUT" | tr '\n' '|')" '^hello from the lower\|xx?0\|$' \
	"a copy-up that hit the limit left no partial copy: the file reads whole, work/ is empty"

capture shim sh -c "ulimit -n 16; echo small > '$RO/s'; cat '$RO/s'; sh -c 'cat $RO/s'; ls '$RO/sub' | wc -l"
is "$RC:$OUT" "0:small
small
2" "a tree under ulimit -n 16 writes, reads, runs a child and lists"
# 12 is the least dash itself needs for a redirection (it saves fds at 10).
capture env LD_PRELOAD="$RWSHIM_LIB" sh -c "ulimit -n 12; echo tiny > '$RO/t' && cat '$RO/t'"
is "$RC:$OUT" "0:tiny" "under LD_PRELOAD with ulimit -n 12 the shell still writes and reads"
capture env LD_PRELOAD="$RWSHIM_LIB" sh -c "ulimit -n 12; exec '$F' 0 open-w '$RO/u' x"
is "$OUT" "EMFILE leaked=0 then=ok" "a program started under ulimit -n 12 and filled to its limit gets EMFILE, then ok"
ERR=
assert_storage_empty "the storage is removed after the runs"
