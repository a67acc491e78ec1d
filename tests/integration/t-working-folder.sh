#!/bin/bash
# SPDX-License-Identifier: MIT
# t-working-folder.sh - cd into a folder that only the overlay has (or a
# merged one): relative paths, pwd, getcwd, __getcwd_chk, getwd,
# __getwd_chk, get_current_dir_name (which keeps $PWD when it names the
# folder) and /proc/self/cwd behave as on a writable copy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conform.sh"

W=${RW_PROBE%/*}/rw_walk
[ -x "$W" ] || bail_out "rw_walk not built: $W"
export W
PY=$(command -v python3 || true)
plan 14

is "$(probe mkdir "$RO/made")" EROFS "without rwshim mkdir in the read-only tree fails with EROFS"

C='mkdir -p $T/made/deep && echo m > $T/made/m && echo a > $T/sub/added && rm $T/sub/file.txt && ln -s made/deep $T/ml;'

conform "getcwd, __getcwd_chk, getwd, __getwd_chk in a folder only the overlay has" \
	"$C"' cd $T/made/deep && $W getcwd && $W getcwd-chk && $W getwd && $W getwd-chk && $W get_current_dir_name'
conform "the same in a merged folder" \
	"$C"' cd $T/sub && $W getcwd && $W getcwd-chk && $W getwd && $W get_current_dir_name'
conform "pwd, pwd -P and /bin/pwd after cd into the overlay, also through a link" \
	"$C"' cd $T/made && pwd && pwd -P && /bin/pwd -L && /bin/pwd -P; cd $T/ml && pwd && pwd -P && /bin/pwd -P; cd .. && pwd'
conform "get_current_dir_name keeps \$PWD when it names the folder, not when it does not" \
	"$C"' cd $T/ml && $W get_current_dir_name; PWD=$T/sub $W get_current_dir_name; PWD=$T/made/deep/ $W get_current_dir_name; PWD=relative $W get_current_dir_name'
conform "relative paths after cd into a folder only the overlay has" \
	"$C"' cd $T/made && echo x > rel && cat rel m ../hello.txt && ls && ls .. | head -3 && mkdir -p a/b && cd a/b && echo y > ../../r2 && cat ../../r2 && cd ../.. && rm rel && ls'
conform "relative paths after cd into a merged folder" \
	"$C"' cd $T/sub && cat added; cat file.txt; ls; echo z > z && ls -a && cd deep && cat ../z && ls ..'
conform "/proc/self/cwd in a folder only the overlay has" \
	"$C"' cd $T/made && readlink /proc/self/cwd && cat /proc/self/cwd/m && ls /proc/self/cwd/ && $W realpath /proc/self/cwd/deep'
conform "chdir back out of the overlay: cd -, cd .., absolute" \
	"$C"' cd $T/made/deep && cd ../.. && pwd && $W getcwd && cd $T/made && cd $T/sub && cd - >/dev/null && $W getcwd'
conform "the working folder of a child process started in the overlay" \
	"$C"' cd $T/made && sh -c "$W getcwd; cat m" && (cd deep && $W getcwd)'
conform "rw_probe's cd prefix: chdir then getcwd in a new process" \
	"$C"' $W cd $T/made/deep getcwd; $W cd $T/sub getwd; $W cd $T/none getcwd'

if [ -n "$PY" ]; then
	conform "python3 os.chdir, os.getcwd, relative open in the overlay" \
		"$C"" '$PY' -c 'import os, sys; os.chdir(sys.argv[1] + \"/made\"); print(os.getcwd()); print(open(\"m\").read().strip()); os.chdir(\"deep\"); print(os.getcwd(), sorted(os.listdir(\"..\")))' \$T"
else
	skip "python3 not found"
fi

capture shim sh -c "mkdir -p '$RO/made' && cd '$RO/made' && '$W' getcwd && '$W' get_current_dir_name && '$W' syscall-getcwd | cut -d' ' -f1,3"
is "$OUT" "ok $RO/made
ok $RO/made
ok $RO/made" "no working-folder call names the storage"

capture shim sh -c "mkdir -p '$RO/made' && cd '$RO/made' && cd .. && '$W' getcwd"
is "$OUT" "ok $RO" "cd .. from a folder only the overlay has leads back to its parent"
