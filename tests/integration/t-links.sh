#!/bin/bash
# SPDX-License-Identifier: MIT
# t-links.sh - symlink, link, linkat and readlink on a read-only tree give
# what they give on a writable copy of it, error cases included; a hard
# link to a read-only file shares the copy-up with it; readlink of
# /proc/self/fd/N and /proc/self/cwd names paths the program knows.
lower_extra() {
	ln -s loop2 "$1/loop1"
	ln -s loop1 "$1/loop2"
	ln -s nowhere "$1/dangling"
	ln -s sub "$1/link-to-sub"
	ln -s "$RW/excl-target" "$1/sub/dangle-out"
	mkdir -p "$1/deep/er" "$1/app/releases/2" "$1/app/shared/log"
	ln -s deep/er "$1/link-deep"
	ln -s releases/2 "$1/app/current"
}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conform.sh"
plan 41

long=$(printf 'n%.0s' $(seq 1 256))

is "$(probe symlink hello.txt "$RO/new")" EROFS "without rwshim symlink() in the read-only tree fails with EROFS"

# --- ".." after a link: the parent of where the link leads, not the lexical one
conform "a write through link/.. lands in the link's target's parent" \
	'echo w > $T/link-deep/../g; cat $T/deep/g; $P stat $T/g; ls $T/link-deep/..; cat $T/link-deep/../g'
conform "mkdir, rename and unlink through link/.." \
	'mkdir $T/link-deep/../nd && ls $T/deep; mv $T/hello.txt $T/link-deep/../moved && ls $T/deep; rm $T/link-deep/../moved; ls $T/deep; $P stat $T/moved'
conform "a release layout: current/../../shared from the top and from inside current" \
	'echo x > $T/app/current/../../shared/log/out && cat $T/app/shared/log/out; cd $T/app/current && echo y > ../../shared/log/out2 && cat $T/app/shared/log/out2; ls $T/app/shared/log; $P stat $T/shared'
conform "a link made in the overlay, then .. through it" \
	'ln -s deep/er $T/l2 && echo y > $T/l2/../h && cat $T/deep/h; ls $T/l2/..; ln -s ../deep/er $T/sub/l3 && cat $T/sub/l3/../h'
conform "a folder made in the overlay, then .. out of it" \
	'mkdir -p $T/nd2/in && cat $T/nd2/../hello.txt && echo z > $T/nd2/in/../../z && cat $T/z; ls $T/nd2/in/..; cd $T/nd2 && cat ../z'
conform "a missing name or a file before ..: ENOENT, ENOTDIR" \
	'$P open-w $T/nowhere/../x y; $P open-w $T/hello.txt/../x y; $P mkdir $T/nowhere/../nd; $P stat $T/x; $P stat $T/nd'

# --- symlink -----------------------------------------------------------------
conform "symlink makes a link that reads and resolves" \
	'$P symlink hello.txt $T/new; $P readlink $T/new; cat $T/new; $P meta $T/new'
conform "symlink into a read-only subfolder, relative target" \
	'$P symlink ../hello.txt $T/sub/up; cat $T/sub/up; ls $T/sub'
conform "symlink over existing names: EEXIST, links never followed" \
	'$P symlink x $T/hello.txt; $P symlink x $T/link-to-hello; $P symlink x $T/dangling; $P symlink x $T/sub; $P symlink x $T/sub/'
conform "symlink errors: ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, empty target, trailing slash" \
	"\$P symlink x \$T/nodir/new; \$P symlink x \$T/hello.txt/new; \$P symlink x \$T/loop1/new; \$P symlink x \$T/$long; \$P symlink '' \$T/new2; \$P symlink x \$T/new3/"
conform "symlink in a folder made in the overlay, and through a link to a folder" \
	'mkdir $T/nd && $P symlink ../hello.txt $T/nd/l && cat $T/nd/l; $P symlink ../hello.txt $T/link-to-sub/via && cat $T/sub/via'
conform "symlink where a deleted file stood" \
	'rm $T/victim.txt && $P symlink hello.txt $T/victim.txt && cat $T/victim.txt && ls $T'
conform "symlink over a link made in the overlay: EEXIST; after rm, again" \
	'$P symlink a $T/l && $P symlink b $T/l; rm $T/l && $P symlink c $T/l && $P readlink $T/l'

# O_CREAT | O_EXCL never follows a link, even a dangling one into a writable
# folder: EEXIST, and nothing is made at the target. Reached through a
# read-only link a write went through, so the merged walk runs.
capture shim sh -c "echo w > '$RO/link-to-sub/w'; '$RW_PROBE' open-excl '$RO/link-to-sub/dangle-out' x"
is "$OUT:$(test -e "$RW/excl-target" && echo made || echo none)" "EEXIST:none" \
	"open(O_CREAT|O_EXCL) of a dangling read-only link: EEXIST, its target not made"
# mkdir("link/") does not follow the link either: EEXIST, nothing made.
capture shim sh -c "echo w > '$RO/link-to-sub/w2'; '$RW_PROBE' mkdir '$RO/link-to-sub/dangle-out/'"
is "$OUT:$(test -e "$RW/excl-target" && echo made || echo none)" "EEXIST:none" \
	"mkdir of a dangling read-only link with a trailing slash: EEXIST, its target not made"

# A process looks a path up below a folder that does not exist, another one
# makes that folder as a link: the next look-up goes through the link (a walk
# must not keep what it learnt about a folder it never saw).
cat >"$WORK/link-later.py" <<'PY'
import os, sys
t = sys.argv[1]
open(t + "/first", "w").close()
def st(p):
    try:
        return "size %d" % os.stat(p).st_size
    except OSError as e:
        return os.strerror(e.errno)
print(st(t + "/later/deep/file.txt"), end="; ")
os.system("ln -s sub '%s/later'" % t)
print(st(t + "/later/deep/file.txt"))
PY
capture env RWSHIM_PATHS="$RO" "$RWSHIM_BIN" -- python3 "$WORK/link-later.py" "$RO"
is "$OUT" "No such file or directory; size 13" \
	"a link made over a missing folder shows what it points to at once to a process that looked before"

# A process knows a folder it made; another one replaces the folder with a
# link: the first one's next look-up goes through the link (what a thread
# keeps of a folder is dropped when any process of the tree removes one).
cat >"$WORK/replaced.py" <<'PY'
import os, sys
t = sys.argv[1]
os.mkdir(t + "/nd")
open(t + "/nd/mine", "w").close()
os.system("rm -r '%s/nd' && ln -s sub '%s/nd'" % (t, t))
try:
    print("size %d" % os.stat(t + "/nd/file.txt").st_size)
except OSError as e:
    print(os.strerror(e.errno))
PY
capture shim python3 "$WORK/replaced.py" "$RO"
is "$OUT" "size 12" "a folder replaced by a link in another process: the next look-up follows the link"

# --- readlink ----------------------------------------------------------------
conform "readlink of lower links, and its errors: EINVAL, ENOENT, ENOTDIR, ELOOP" \
	'$P readlink $T/link-to-hello; $P readlink $T/dangling; $P readlink $T/hello.txt; $P readlink $T/sub; $P readlink $T/none; $P readlink $T/hello.txt/x; $P readlink $T/loop1/x; $P readlink $T/link-to-sub/; $P readlinkat $T link-to-hello'
conform "readlink cuts the target at the buffer's size; __readlink_chk" \
	'$P readlink-short $T/link-to-hello; $P symlink abcdefgh $T/l8 && $P readlink-short $T/l8; $P readlink-chk $T/l8'
conform "readlinkat through a folder descriptor, of a link made in the overlay" \
	'$P symlink ../hello.txt $T/sub/l && $P readlinkat $T/sub l'
conform "readlink of a link replaced in the overlay" \
	'rm $T/link-to-hello && ln -s sub/file.txt $T/link-to-hello && $P readlink $T/link-to-hello && cat $T/link-to-hello'
conform "readlink of /proc/self/fd/N names the file, not the storage" \
	'echo new > $T/sub/new && $P readlink-fd $T/sub/new; $P readlink-fd $T/hello.txt; echo more >> $T/hello.txt && $P readlink-fd $T/hello.txt'
conform "readlink of /proc/self/cwd in a folder only the overlay has" \
	'mkdir -p $T/nd/deeper && $P readlink-cwd $T/nd/deeper; $P readlink-cwd $T/sub'

# --- link --------------------------------------------------------------------
conform "link to a read-only file: both names share one file" \
	'$P link $T/hello.txt $T/hard && $P meta $T/hard && $P meta $T/hello.txt; [ "$(stat -c %i $T/hard)" = "$(stat -c %i $T/hello.txt)" ] && echo same-inode; echo more >> $T/hard; cat $T/hello.txt'
conform "link, then chmod through one name shows on the other" \
	'$P link $T/sub/file.txt $T/sub/f2 && chmod 600 $T/sub/f2 && $P meta $T/sub/file.txt'
conform "link errors: EEXIST, EPERM for a folder, ENOENT, ENOTDIR, trailing slash" \
	'$P link $T/hello.txt $T/log.txt; $P link $T/hello.txt $T/link-to-hello; $P link $T/sub $T/sub2; $P link $T/none $T/x; $P link $T/hello.txt $T/nodir/x; $P link $T/hello.txt/ $T/x; $P link $T/hello.txt $T/x/; $P link $T/loop1 $T/y; $P linkat-follow $T/loop1 $T/z; $P link $T/hello.txt $T/hello.txt/x'
conform "link of a symlink links the link; linkat(AT_SYMLINK_FOLLOW) its target" \
	'$P link $T/link-to-hello $T/l2 && $P readlink $T/l2 && $P meta $T/l2; $P linkat-follow $T/link-to-hello $T/l3 && $P meta $T/l3 && $P meta $T/hello.txt; $P linkat-follow $T/dangling $T/l4; $P link $T/dangling $T/l5 && $P readlink $T/l5'
conform "link into a folder only the overlay has, and of a file only the overlay has" \
	'mkdir $T/nd && $P link $T/hello.txt $T/nd/h && cat $T/nd/h; echo fresh > $T/fresh && $P link $T/fresh $T/sub/f && cat $T/sub/f && $P meta $T/fresh'
conform "link where a deleted file stood" \
	'rm $T/victim.txt && $P link $T/hello.txt $T/victim.txt && cat $T/victim.txt'
conform "linkat(AT_EMPTY_PATH) of a descriptor of a read-only file" \
	'$P linkat-fd $T/hello.txt $T/sub/byfd && cat $T/sub/byfd && $P meta $T/hello.txt'
conform "linkat of /proc/self/fd/N (AT_SYMLINK_FOLLOW) of a read-only file and of an overlay file" \
	'$P linkat-proc $T/hello.txt $T/sub/byproc && cat $T/sub/byproc && $P meta $T/hello.txt; echo fresh > $T/fresh && $P linkat-proc $T/fresh $T/sub/f2 && $P linkat-fd $T/fresh $T/sub/f3 && $P meta $T/fresh'
conform "an O_TMPFILE file in a read-only folder, named with linkat through /proc/self/fd" \
	'$P tmpfile-link $T/sub $T/sub/named "made unnamed" && cat $T/sub/named; echo; $P meta $T/sub/named'

# --- outside the merged view -------------------------------------------------
capture shim "$RW_PROBE" link "$RO/hello.txt" "$RW/x"
is "$OUT" EXDEV "a link from the read-only tree into another filesystem is EXDEV, as without rwshim"
capture shim "$RW_PROBE" symlink target "$RW/sym"
is "$OUT:$(readlink "$RW/sym")" "ok:target" "a symlink in a writable folder is made there for real"
capture shim "$RW_PROBE" symlink target "/proc/self/nope"
isnt "$OUT" ok "a symlink under /proc is never redirected"

# --- real programs -----------------------------------------------------------
conform "ln -s, readlink -f, ln and ls -l" \
	'cd $T && ln -s sub/deep/file.txt short && readlink -f short && ln hello.txt hard && ln -s ../hello.txt sub/up && readlink -f sub/up && ls -l --time-style=+ hello.txt hard short sub/up && cat short'
conform "ln -sf replaces a read-only link; ln -f replaces a read-only file" \
	'cd $T && ln -sf sub/file.txt link-to-hello && cat link-to-hello && ln -f hello.txt log.txt && cat log.txt && ls -l --time-style=+ link-to-hello log.txt'
conform "cp -a of a read-only folder keeps its links" \
	'cp -a $T/sub $T/sub-copy && ln -s file.txt $T/sub/flink && cp -a $T/sub/flink $T/sub/deep/ && $P readlink $T/sub/deep/flink && ls -l --time-style=+ $T/sub-copy'
conform "install -D makes the folders and the file" \
	'install -D -m 0750 $T/hello.txt $T/a/b/c/installed && $P meta $T/a/b/c/installed && $P meta $T/a/b && cat $T/a/b/c/installed'
conform "a hard link survives the rename of one name" \
	'$P link $T/hello.txt $T/h && mv $T/hello.txt $T/moved && cat $T/h $T/moved && $P meta $T/h'
