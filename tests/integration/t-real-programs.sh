#!/bin/bash
# SPDX-License-Identifier: MIT
# t-real-programs.sh - real programs doing real work in a read-only tree,
# each checked by what it leaves in the merged view: git, tar and diff, cp,
# mv and rm of whole folders, perl -pi, python3 -m compileall, gcc and make
# building in a read-only source tree, a script made in the overlay run every
# way a program is started, sqlite3 in WAL mode, env -i in the middle of a tree.
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
	mkdir "$d/pub" && chown 65534:65534 "$d/pub"
}
. "$(dirname "$0")/lib.sh"
plan 18

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

# The same script through each way of starting a program that finds it in
# the overlay: execvp (env), posix_spawn and posix_spawnp (python3), and an
# empty PATH entry, which means the working folder. The script sees its own
# name as $0, never a storage path.
printf '#!/bin/sh\necho "$0:$1"\n' >"$RW/show0"
cat >"$RW/spawn.py" <<'PY'
import os, sys
os.environ["PATH"] = sys.argv[1] + ":/usr/bin:/bin"  # posix_spawnp searches the caller's
for spawn, prog in ((os.posix_spawn, sys.argv[1] + "/show0"), (os.posix_spawnp, "show0")):
    if os.waitpid(spawn(prog, [prog, spawn.__name__], os.environ), 0)[1]:
        sys.exit(1)
os.chdir(sys.argv[1])
os.environ["PATH"] = ":/usr/bin:/bin"
if os.waitpid(os.posix_spawnp("show0", ["show0", "spawnp-empty-entry"], os.environ), 0)[1]:
    sys.exit(1)
PY
capture shim sh -c "mkdir -p '$RO/bin3' && cp '$RW/show0' '$RO/bin3/show0' && chmod +x '$RO/bin3/show0' &&
	PATH='$RO/bin3':\$PATH env show0 env && python3 '$RW/spawn.py' '$RO/bin3' &&
	cd '$RO/bin3' && PATH=:/usr/bin:/bin env show0 empty-entry"
is "$RC:$OUT" "0:$RO/bin3/show0:env
$RO/bin3/show0:posix_spawn
$RO/bin3/show0:posix_spawnp
./show0:spawnp-empty-entry
./show0:empty-entry" "an overlay script runs through execvp, posix_spawn, posix_spawnp and an empty PATH entry, with its own name as \$0"

# The list spellings: execl by path, execlp through PATH, execle with an
# environment of one variable (the new program still sees the overlay: the
# script's own file is in it, and it reads a file only the overlay holds).
printf '#!/bin/sh\necho "$0:$1:$(cat "${0%%/*}/note")"\n' >"$RW/shownote"
capture shim sh -c "mkdir -p '$RO/bin3' && cp '$RW/shownote' '$RO/bin3/shownote' && chmod +x '$RO/bin3/shownote' &&
	echo kept >'$RO/bin3/note' && $RW_PROBE execl '$RO/bin3/shownote' execl &&
	PATH='$RO/bin3':\$PATH $RW_PROBE execlp shownote execlp &&
	$RW_PROBE execle '$RO/bin3/shownote' execle"
is "$RC:$OUT" "0:$RO/bin3/shownote:execl:kept
$RO/bin3/shownote:execlp:kept
$RO/bin3/shownote:execle:kept" "execl, execlp and execle (with an environment of one variable) run an overlay script that reads the overlay"

# A program the overlay holds execute-only (0111) runs for a user that may
# not read it, as on a real filesystem: only a "#!" script needs reading.
# A static one: under scripts/sanitize, ASan could not read its options in
# a process whose program it may not read (/proc/self/environ is closed).
chmod 1777 "$STORE"
chmod 0755 "$WORK" "$RW"
printf '#include <stdio.h>\nint main(int c, char **v) { puts(c > 1 ? v[1] : "?"); return 0; }\n' >"$RW/say.c"
cc -static -o "$RW/say" "$RW/say.c" || bail_out "cc -static failed (libc6-dev has libc.a)"
capture setpriv --reuid=65534 --regid=65534 --clear-groups "$RWSHIM_BIN" -- sh -c "
	mkdir -p '$RO/pub/x' && cp '$RW/say' '$RO/pub/x/say' && chmod 0111 '$RO/pub/x/say' &&
	cat '$RO/pub/x/say' >/dev/null 2>&1 || '$RO/pub/x/say' runs"
is "$RC:$OUT" "0:runs" "an execute-only program in the overlay runs for a user who cannot read it"

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
