#!/bin/bash
# SPDX-License-Identifier: MIT
# t-real-programs.sh - real programs doing real work in a read-only tree,
# each checked by what it leaves in the merged view: git, tar and diff, cp,
# mv and rm of whole folders, perl -pi, python3 -m compileall, gcc and make
# building in a read-only source tree, a script run through PATH, sqlite3 in
# WAL mode, env -i in the middle of a tree.
lower_extra() {
	local d=$1
	mkdir -p "$d/proj/src" "$d/pysrc/pkg" "$d/tree/a/b" "$d/srcdir"
	printf 'int add(int a, int b) { return a + b; }\n' >"$d/proj/src/add.c"
	printf '#include <stdio.h>\nint add(int, int);\nint main(void) { printf("%%d\\n", add(2, 3)); return 0; }\n' \
		>"$d/proj/src/main.c"
	printf 'prog: src/main.o src/add.o\n\t$(CC) -o $@ $^\n' >"$d/proj/Makefile"
	printf 'VALUE = 41\n' >"$d/pysrc/pkg/__init__.py"
	printf 'def answer():\n    return 42\n' >"$d/pysrc/pkg/mod.py"
	printf 'one\ntwo\nthree\n' >"$d/tree/a/b/list.txt"
	printf 'top\n' >"$d/tree/top.txt"
	for i in $(seq 1 50); do printf 'file %s\n' "$i" >"$d/srcdir/f$i"; done
	mkdir "$d/srcdir/sub" && printf 'nested\n' >"$d/srcdir/sub/n"
}
. "$(dirname "$0")/lib.sh"
plan 15

command -v git >/dev/null || bail_out "git is needed (apt-get install git)"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
capture shim sh -c "cd '$RO/proj' && git init -q && git add -A && git commit -qm first &&
	echo '/* more */' >> src/add.c && git commit -qam second && git log --format=%s && git gc -q && git status --short | wc -l"
is "$RC:$OUT" "0:second
first
0" "git init, add, commit, log and gc in a read-only folder"

tar -C "$RO" -cf "$WORK/src.tar" srcdir
capture shim sh -c "mkdir '$RO/unpacked' && tar -C '$RO/unpacked' -xf '$WORK/src.tar' && diff -r '$RO/srcdir' '$RO/unpacked/srcdir' && echo same"
is "$RC:$OUT" "0:same" "tar -x into the read-only tree, then diff -r against the source"

capture shim sh -c "cp -a '$RO/tree' '$RO/copy' && mv '$RO/copy' '$RO/moved' && cat '$RO/moved/a/b/list.txt' | wc -l &&
	rm -rf '$RO/tree' && ls '$RO/tree' 2>&1 | grep -c 'No such'; mkdir '$RO/tree' && ls -A '$RO/tree' | wc -l"
is "$RC:$OUT" "0:3
1
0" "cp -a, mv of a folder, rm -rf of a read-only folder, then mkdir gives an empty one"

capture shim sh -c "find '$RO/srcdir' -type f | wc -l; du -s --apparent-size -B1 '$RO/srcdir' | cut -f1"
want=$(find "$RO/srcdir" -type f | wc -l; du -s --apparent-size -B1 "$RO/srcdir" | cut -f1)
is "$OUT" "$want" "find and du see what they see without rwshim"

capture shim sh -c "perl -pi -e 's/two/TWO/' '$RO/tree/a/b/list.txt' && cat '$RO/tree/a/b/list.txt'"
is "$RC:$OUT" "0:one
TWO
three" "perl -pi -e edits a read-only file in place"

capture shim sh -c "python3 -m compileall -q '$RO/pysrc' >/dev/null && ls '$RO/pysrc/pkg/__pycache__' | grep -c 'mod.*pyc' &&
	cd '$RO/pysrc' && python3 -c 'import pkg, pkg.mod; print(pkg.VALUE + 1 == pkg.mod.answer(), pkg.mod.__cached__.endswith(\".pyc\"))'"
is "$RC:$OUT" "0:1
True True" "python3 -m compileall writes __pycache__ into a read-only package, and import uses it"

capture shim sh -c "cd '$RO/proj' && make -s CC=cc >/dev/null && ./prog"
is "$RC:$OUT" "0:5" "make and gcc build a program in a read-only source tree, and it runs from there"
is "$(probe stat "$RO/proj/prog")" ENOENT "the built program is not on the read-only filesystem"

capture shim sh -c "mkdir -p '$RO/bin2' && printf '#!/bin/sh\necho from-overlay \$1\n' > '$RO/bin2/hello' && chmod +x '$RO/bin2/hello' && PATH='$RO/bin2':\$PATH hello there"
is "$RC:$OUT" "0:from-overlay there" "a script made in the overlay runs by name through PATH"

capture shim sh -c "ln -s tree/a/b/list.txt '$RO/lnk' && readlink '$RO/lnk' && readlink -f '$RO/lnk'"
is "$RC:$OUT" "0:tree/a/b/list.txt
$RO/tree/a/b/list.txt" "ln -s, readlink and readlink -f"

capture shim sh -c "cd '$RO' && sqlite3 wal.db 'PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1),(2),(3);' >/dev/null &&
	sqlite3 wal.db 'SELECT sum(x) FROM t; PRAGMA journal_mode;'"
is "$RC:$OUT" "0:6
wal" "sqlite3 in WAL mode in a read-only folder"

capture shim sh -c "install -D -m 0750 '$RO/tree/top.txt' '$RO/inst/deep/er/top.txt' && stat -c %a '$RO/inst/deep/er/top.txt' && cat '$RO/inst/deep/er/top.txt'"
is "$RC:$OUT" "0:750
top" "install -D makes the folders and the file with its mode"

capture shim sh -c "mkfifo '$RO/fifo' && (echo through-fifo > '$RO/fifo' &) && cat '$RO/fifo'"
is "$RC:$OUT" "0:through-fifo" "mkfifo with a writer and a reader"

# (Under scripts/sanitize, AddressSanitizer needs its own options kept.)
capture shim sh -c "echo before > '$RO/env-file'; env -i PATH=/usr/bin:/bin ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} sh -c 'cat $RO/env-file; echo after > $RO/env-file2'; cat '$RO/env-file2'"
is "$RC:$OUT" "0:before
after" "env -i in the middle keeps the session: the child sees and adds to the overlay"

capture shim sh -c "echo hi > '$RO/x' && ls -la '$RO' | awk '{print \$1, \$NF}' | grep -c ' x$'"
is "$RC:$OUT" "0:1" "ls -la lists a new file of the read-only folder"
