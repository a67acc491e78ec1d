#!/bin/bash
# SPDX-License-Identifier: MIT
# t-python3.sh - a python3 program writes into a read-only tree, lists it,
# reads back, replaces a file atomically and deletes one.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip_all "python3 not found"
plan 7

capture "$PY" -c "open('$RO/py.txt', 'w').write('x')"
like "$ERR" 'Read-only file system' "without rwshim python3 gets EROFS"

cat >"$RW/job.py" <<'PYEOF'
import os, sys
ro = sys.argv[1]
os.makedirs(os.path.join(ro, 'py', 'nested'), exist_ok=True)
with open(os.path.join(ro, 'py', 'data.txt'), 'w') as f:
    f.write('written by python\n')
with open(os.path.join(ro, 'py', 'nested', 'n.txt'), 'w') as f:
    f.write('nested\n')
print('list:', ' '.join(sorted(os.listdir(ro))))
print('py:', ' '.join(sorted(os.listdir(os.path.join(ro, 'py')))))
with open(os.path.join(ro, 'py', 'data.txt')) as f:
    print('read:', f.read().strip())
print('size:', os.stat(os.path.join(ro, 'py', 'data.txt')).st_size)
tmp = os.path.join(ro, 'conf', 'app.conf.tmp')
with open(tmp, 'w') as f:
    f.write('key=python\n')
os.replace(tmp, os.path.join(ro, 'conf', 'app.conf'))
with open(os.path.join(ro, 'conf', 'app.conf')) as f:
    print('replaced:', f.read().strip())
print('conf:', ' '.join(sorted(os.listdir(os.path.join(ro, 'conf')))))
os.remove(os.path.join(ro, 'victim.txt'))
print('victim exists:', os.path.exists(os.path.join(ro, 'victim.txt')))
with open(os.path.join(ro, 'log.txt'), 'a') as f:
    f.write('appended\n')
with open(os.path.join(ro, 'log.txt')) as f:
    print('log:', f.read().replace('\n', '|'))
PYEOF

capture shim "$PY" "$RW/job.py" "$RO"
is "$RC" 0 "the python3 program exits 0"
is "$ERR" "" "with nothing on stderr"
is "$(printf '%s\n' "$OUT" | sed -n '1,4p')" "list: bin conf empty hello.txt link-to-hello log.txt py sub victim.txt
py: data.txt nested
read: written by python
size: 18" "it lists old and new entries and reads back what it wrote"
is "$(printf '%s\n' "$OUT" | sed -n '5,6p')" "replaced: key=python
conf: app.conf" "os.replace of a temp file over a read-only file works"
is "$(printf '%s\n' "$OUT" | sed -n '7p')" "victim exists: False" "os.remove of a read-only file works"
is "$(printf '%s\n' "$OUT" | sed -n '8p')" "log: line one|appended|" "append mode keeps the old content"
