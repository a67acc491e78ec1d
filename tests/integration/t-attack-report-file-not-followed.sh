#!/bin/bash
# SPDX-License-Identifier: MIT
# t-attack-report-file-not-followed.sh - finding 6 (docs/SECURITY.md): the
# report file is opened safely. A root tree drops to uid 65534, which owns
# the folder of --report=FILE and puts a symlink at FILE to a root 0600
# file; the root remover writing the report must not go through it.
lower_extra() {
	mkdir -p "$1/usub" && chown 65534:65534 "$1/usub"
}
. "$(dirname "$0")/lib.sh"
plan 3

chmod 0755 "$WORK" "$RW"
mkdir -m 0755 "$RW/u" && chown 65534:65534 "$RW/u"
printf 'root only\n' >"$WORK/rootfile" && chmod 0600 "$WORK/rootfile"
before=$(stat -c '%u %a %s' "$WORK/rootfile")
capture "$RWSHIM_BIN" --report="$RW/u/report.txt" -- setpriv --reuid=65534 --regid=65534 --clear-groups \
	sh -c "rm -f '$RW/u/report.txt'; ln -s '$WORK/rootfile' '$RW/u/report.txt'; echo new > '$RO/usub/new'; :"
is "$(cat "$WORK/rootfile")" "root only" "root's file behind the planted link keeps its content"
is "$(stat -c '%u %a %s' "$WORK/rootfile")" "$before" "and its owner, mode and size"
if [ -f "$RW/u/report.txt" ] && [ ! -L "$RW/u/report.txt" ] && grep -q "$RO/usub/new" "$RW/u/report.txt"; then
	ok "the report went to FILE itself"
elif [ "$(printf '%s\n' "$ERR" | grep -c "^rwshim:.*$RW/u/report.txt")" = 1 ]; then
	ok "rwshim said in one line that it did not write the report to FILE"
else
	not_ok "the report went to FILE, or one line says why not" "FILE: $(ls -la "$RW/u/report.txt" 2>&1)" "stderr: $ERR"
fi
