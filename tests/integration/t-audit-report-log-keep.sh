#!/bin/bash
# SPDX-License-Identifier: MIT
# t-audit-report-log-keep.sh - the debugging side: --audit changes nothing
# and says which writes a read-only filesystem refused and where; --report
# lists what a run added, changed and deleted; --log gives one whole line per
# redirected call; --keep leaves the overlay as an OCI layer folder.
. "$(dirname "$0")/lib.sh"
plan 22

# --audit: the program fails exactly as without rwshim.
capture python3 -c "open('$RO/x', 'w')"
plain_rc=$RC
plain_err=$(printf '%s\n' "$ERR" | tail -1)
capture "$RWSHIM_BIN" --audit -- python3 -c "open('$RO/x', 'w')"
is "$RC" "$plain_rc" "--audit: the program exits as it does without rwshim"
case $ERR in
*"$plain_err"*) ok "--audit: and fails with the same error" ;;
*) not_ok "--audit: and fails with the same error" "expected: $plain_err" "got: $ERR" ;;
esac
like "$ERR" "rwshim: audit: pid [0-9]+ python3 open $RO/x O_WRONLY\|O_CREAT\|O_TRUNC.*: EROFS" \
	"--audit names pid, program, call, path, flags and errno"
like "$ERR" "rwshim: audit: 1 write refused by a read-only filesystem, in 1 folder:" \
	"--audit sums the refusals up at exit"
is "$(probe stat "$RO/x")" ENOENT "--audit redirects nothing"

capture "$RWSHIM_BIN" --audit -- sh -c "touch '$RO/a' '$RO/b' '$RO/sub/c' 2>/dev/null; mkdir '$RO/q' 2>/dev/null; exit 0"
summary=$(printf '%s\n' "$ERR" | sed -n '/audit: 4 writes/,$p')
like "$summary" "audit: 4 writes refused by a read-only filesystem, in 2 folders:" \
	"--audit counts every refused write of the tree"
is "$(printf '%s\n' "$summary" | sed -n 2p | tr -s ' ')" " 3 $RO" "the busiest folder comes first"
is "$(printf '%s\n' "$summary" | sed -n 3p | tr -s ' ')" " 1 $RO/sub" "then the next"

# --report
capture "$RWSHIM_BIN" --report -- sh -c "echo a > '$RO/new'; echo b >> '$RO/log.txt'; rm '$RO/victim.txt'"
is "$RC" 0 "--report: the tree runs"
like "$ERR" "(^|$(printf '\n'))A $RO/new 2($(printf '\n')|$)" "--report lists the added file with its size"
like "$ERR" "M $RO/log.txt 11" "--report lists the changed file with its new size"
like "$ERR" "D $RO/victim.txt 10" "--report lists the deleted file with its old size"
like "$ERR" "rwshim: 1 added, 1 modified, 1 deleted" "--report gives totals"
capture "$RWSHIM_BIN" --report=json:"$WORK/report.json" -- sh -c "echo a > '$RO/new'; rm '$RO/victim.txt'"
check "--report=json:FILE writes valid JSON" python3 -c "import json; json.load(open('$WORK/report.json'))"
is "$(python3 -c "import json; r=json.load(open('$WORK/report.json')); print(sorted((c['status'], c['path'], c['size']) for c in r['changes']), r['added'], r['deleted'])")" \
	"[('A', '$RO/new', 2), ('D', '$RO/victim.txt', 10)] 1 1" "the JSON report holds the same changes and totals"

# --log: one whole line per redirected call, from every process of the tree.
capture "$RWSHIM_BIN" --log="$WORK/log" -- sh -c "for i in 1 2 3 4 5 6 7 8; do (echo \$i > '$RO/f'\$i; mkdir '$RO/d'\$i) & done; wait"
is "$(grep -c '^rwshim: log: pid [0-9]* [a-z]* \(open\|mkdir\) ' "$WORK/log")" 16 \
	"--log=FILE: 16 redirected calls, 16 whole lines"
is "$(grep -c "open $RO/f[1-8] O_WRONLY|O_CREAT|O_TRUNC: ok" "$WORK/log")" 8 \
	"each open line names the path, the flags and the result"
is "$(grep -cv '^rwshim: log: ' "$WORK/log")" 0 "no line is torn or mixed"
# A rename names both paths; a change names the call that made it.
capture "$RWSHIM_BIN" --log -- sh -c "mv '$RO/hello.txt' '$RO/moved.txt'; chmod 600 '$RO/log.txt'; touch -h '$RO/sub/file.txt'"
is "$(printf '%s\n' "$ERR" | sed -n 's/^rwshim: log: pid [0-9]* [a-z]* //p')" \
	"rename $RO/hello.txt -> $RO/moved.txt: ok
fchmodat $RO/log.txt: ok
utimensat $RO/sub/file.txt: ok" "--log: rename shows where to, changes show their call"

# --keep: the overlay stays, as an OCI layer folder.
capture "$RWSHIM_BIN" --keep="$WORK/layer" -- sh -c "echo k > '$RO/k'; rm '$RO/victim.txt'"
like "$ERR" "rwshim: overlay kept at $WORK/layer" "--keep=DIR says where the overlay is"
is "$(cd "$WORK/layer$RO" && find . -mindepth 1 | sort | tr '\n' ' ')" "./.wh.victim.txt ./k " \
	"the kept folder holds the new file and a .wh. whiteout"
check "the kept folder packs as a layer tarball with the whiteout" \
	sh -c "tar -C '$WORK/layer' -cf '$WORK/layer.tar' . && tar -tf '$WORK/layer.tar' | grep -q '.wh.victim.txt'"
