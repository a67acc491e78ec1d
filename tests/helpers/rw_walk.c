/* SPDX-License-Identifier: MIT */
/*
 * rw_walk - run one walker, lister, raw system call or name call from argv
 * and print what it saw, one line per entry, so the shell tests can compare
 * a read-only tree under rwshim with a writable copy without rwshim.
 *
 *   rw_walk OP ARGS...
 *
 * Entries are printed as the program received them; directory sizes are
 * left out (they depend on how a folder was made, not on what it lists).
 * A failed call prints its errno name. Exit status: 0, or 1 after a failed
 * call, 2 on a usage error.
 *
 * Plain C and libc only: this program is what the shim is loaded into.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by config.h when the build -includes it */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#if defined(__x86_64__)
/* The GLIBC_2.2.5 versions old binaries are bound to. */
extern int nftw_v1(const char *, int (*)(const char *, const struct stat *, int, struct FTW *),
		   int, int);
__asm__(".symver nftw_v1,nftw@GLIBC_2.2.5");
extern char *realpath_v1(const char *, char *);
__asm__(".symver realpath_v1,realpath@GLIBC_2.2.5");
extern int glob_v1(const char *, int, int (*)(const char *, int), glob_t *);
__asm__(".symver glob_v1,glob@GLIBC_2.2.5");
#define HAVE_V1 1
#endif

extern char *__realpath_chk(const char *, char *, size_t);
extern char *__getcwd_chk(char *, size_t, size_t);
extern char *__getwd_chk(char *, size_t);

#include "errname.h"

static int fail(void)
{
	printf("%s\n", errname(errno));
	return 1;
}

/* One letter for a file type, as find -printf %y. */
static char type_of(mode_t m)
{
	if (S_ISDIR(m)) return 'd';
	if (S_ISREG(m)) return 'f';
	if (S_ISLNK(m)) return 'l';
	if (S_ISFIFO(m)) return 'p';
	if (S_ISSOCK(m)) return 's';
	if (S_ISCHR(m)) return 'c';
	if (S_ISBLK(m)) return 'b';
	return '?';
}

/* Type, mode and (for everything but folders) size of @st. */
static void print_stat(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		printf(" %c%04o", type_of(st->st_mode), (unsigned)(st->st_mode & 07777));
	else
		printf(" %c%04o %lld", type_of(st->st_mode), (unsigned)(st->st_mode & 07777),
		       (long long)st->st_size);
}

/* ---- ftw and nftw ---------------------------------------------------------- */

static int ftw_show_cwd;

static const char *ftw_flag(int f)
{
	switch (f) {
	case FTW_F: return "F";
	case FTW_D: return "D";
	case FTW_DNR: return "DNR";
	case FTW_NS: return "NS";
	case FTW_SL: return "SL";
	case FTW_DP: return "DP";
	case FTW_SLN: return "SLN";
	}
	return "?";
}

/* The answer for FTW_ACTIONRETVAL, chosen by the entry's name. */
static int action_for(const char *name)
{
	if (!strcmp(name, "skip-subtree"))
		return FTW_SKIP_SUBTREE;
	if (!strcmp(name, "skip-siblings"))
		return FTW_SKIP_SIBLINGS;
	if (!strcmp(name, "stop"))
		return FTW_STOP;
	return FTW_CONTINUE;
}

static int nftw_actions;

static int nftw_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	printf("%s %d %d %s", ftw_flag(flag), f->level, f->base, path);
	if (flag != FTW_NS)
		print_stat(st);
	if (ftw_show_cwd) {
		char cwd[PATH_MAX];
		printf(" cwd=%s", getcwd(cwd, sizeof(cwd)) ? cwd : errname(errno));
	}
	printf("\n");
	return nftw_actions ? action_for(path + f->base) : 0;
}

static int ftw_cb(const char *path, const struct stat *st, int flag)
{
	printf("%s %s", ftw_flag(flag), path);
	if (flag != FTW_NS)
		print_stat(st);
	printf("\n");
	return 0;
}

static int nftw_flags(const char *s)
{
	int f = 0;

	for (; *s; s++) {
		switch (*s) {
		case 'P': f |= FTW_PHYS; break;
		case 'M': f |= FTW_MOUNT; break;
		case 'C': f |= FTW_CHDIR; ftw_show_cwd = 1; break;
		case 'D': f |= FTW_DEPTH; break;
		case 'A': f |= FTW_ACTIONRETVAL; nftw_actions = 1; break;
		case 'X': f |= 0x4000; break; /* an unknown flag */
		}
	}
	return f;
}

/* ---- fts --------------------------------------------------------------------- */

static const char *fts_info_name(int i)
{
	static const char *const names[] = { "?",  "D",  "DC", "DEFAULT", "DNR", "DOT", "DP", "ERR",
					      "F",  "INIT", "NS", "NSOK", "SL", "SLNONE", "W" };
	return i >= 0 && i < (int)(sizeof(names) / sizeof(names[0])) ? names[i] : "?";
}

static int by_name(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

/* FTS_NOSTAT: glibc leaves fts_statp NULL even for folders, rwshim fills it. */
static int fts_nostat;

/* An entry; @child for one of fts_children's list, whose fts_path glibc
 * does not keep (it shares one buffer), so only its name is shown. */
static void print_ftsent(const FTSENT *p, int child)
{
	if (child)
		printf("  child %s %d name=%s", fts_info_name(p->fts_info), p->fts_level, p->fts_name);
	else
		printf("%s %d %s name=%s", fts_info_name(p->fts_info), p->fts_level, p->fts_path,
		       p->fts_name);
	if (p->fts_namelen != strlen(p->fts_name) || (!child && p->fts_pathlen != strlen(p->fts_path)))
		printf(" BADLEN");
	if (p->fts_info == FTS_NS || p->fts_info == FTS_DNR || p->fts_info == FTS_ERR)
		printf(" errno=%s", errname(p->fts_errno));
	else if (p->fts_info != FTS_NSOK && p->fts_info != FTS_DP && !fts_nostat)
		print_stat(p->fts_statp);
	if (p->fts_info == FTS_DC)
		printf(" cycle-level=%d", p->fts_cycle ? p->fts_cycle->fts_level : -9);
	printf("\n");
}

/* fts OPTIONS ROOT...: OPTIONS letters P L N S X C D (FTS_*), s = sorted,
 * k = fts_set(FTS_SKIP) on folders named "skip-subtree", c = print
 * fts_children of every folder before descending. */
static int do_fts(const char *opts, char **roots)
{
	int o = 0, sorted = 0, skip = 0, children = 0;
	const char *s;
	FTSENT *p;
	FTS *f;

	for (s = opts; *s; s++) {
		switch (*s) {
		case 'P': o |= FTS_PHYSICAL; break;
		case 'L': o |= FTS_LOGICAL; break;
		case 'N': o |= FTS_NOCHDIR; break;
		case 'S': o |= FTS_NOSTAT; fts_nostat = 1; break;
		case 'X': o |= FTS_XDEV; break;
		case 'C': o |= FTS_COMFOLLOW; break;
		case 'D': o |= FTS_SEEDOT; break;
		case 's': sorted = 1; break;
		case 'k': skip = 1; break;
		case 'c': children = 1; break;
		case '-': break;
		}
	}
	f = fts_open(roots, o, sorted ? by_name : NULL);
	if (!f)
		return fail();
	errno = 0;
	while ((p = fts_read(f)) != NULL) {
		print_ftsent(p, 0);
		if (p->fts_info == FTS_D && skip && !strcmp(p->fts_name, "skip-subtree"))
			fts_set(f, p, FTS_SKIP);
		if (p->fts_info == FTS_D && children) {
			FTSENT *c = fts_children(f, 0);
			for (; c; c = c->fts_link)
				print_ftsent(c, 1);
		}
		errno = 0;
	}
	if (errno)
		return fail();
	if (fts_close(f) < 0)
		return fail();
	printf("end\n");
	return 0;
}

/* ---- scandir, glob --------------------------------------------------------------- */

static int no_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

static int print_scandir(int n, struct dirent **list)
{
	int i;

	if (n < 0)
		return fail();
	printf("ok %d\n", n);
	for (i = 0; i < n; i++) {
		printf("%s %d\n", list[i]->d_name, list[i]->d_type);
		free(list[i]);
	}
	free(list);
	return 0;
}

static int glob_err(const char *path, int err)
{
	printf("glob error %s %s\n", path, errname(err));
	return 0;
}

static int print_glob(int r, glob_t *g)
{
	size_t i;

	if (r == GLOB_NOMATCH) {
		printf("nomatch\n");
		return 0;
	}
	if (r != 0) {
		printf("glob failed %d\n", r);
		return 1;
	}
	for (i = 0; i < g->gl_pathc; i++)
		printf("%s\n", g->gl_pathv[i]);
	globfree(g);
	return 0;
}

static int glob_flags(const char *s)
{
	int f = 0;

	for (; s && *s; s++) {
		switch (*s) {
		case 'M': f |= GLOB_MARK; break;
		case 'O': f |= GLOB_ONLYDIR; break;
		case 'P': f |= GLOB_PERIOD; break;
		case 'B': f |= GLOB_BRACE; break;
		case 'N': f |= GLOB_NOCHECK; break;
		case '-': break;
		}
	}
	return f;
}

/* ---- listings ------------------------------------------------------------------- */

/* getdents64 on a descriptor opened with O_DIRECTORY, with a small buffer so
 * the listing takes several calls; then one more call must say the end. */
static int do_getdents(const char *dir, int raw)
{
	/* Room for a few entries only, so a listing takes several calls. */
	union {
		struct dirent64 d;
		char b[320];
	} u;
	char *buf = u.b;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	long n, off;

	if (fd < 0)
		return fail();
	printf("ok\n");
	for (;;) {
		n = raw ? syscall(SYS_getdents64, fd, buf, sizeof(u)) : getdents64(fd, buf, sizeof(u));
		if (n < 0)
			return fail();
		if (n == 0)
			break;
		for (off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				printf("%s %d\n", d->d_name, d->d_type);
			off += d->d_reclen;
		}
	}
	n = getdents64(fd, buf, sizeof(u));
	if (n != 0)
		printf("after the end: %ld\n", n);
	close(fd);
	return 0;
}

/* Read a listing remembering telldir() before each entry, then seekdir()
 * back to every remembered place (in a shuffled order) and check that the
 * same entry follows. Prints the names and "positions ok". */
static int do_telldir(const char *dir)
{
	char *names[512];
	long pos[512];
	int n = 0, i, bad = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return fail();
	for (;;) {
		long p = telldir(d);
		if (!(e = readdir(d)))
			break;
		if (n < 512) {
			pos[n] = p;
			names[n++] = strdup(e->d_name);
		}
	}
	for (i = n - 1; i >= 0; i -= 2) {
		seekdir(d, pos[i]);
		e = readdir(d);
		if (!e || strcmp(e->d_name, names[i])) {
			printf("seekdir to entry %d (%s) gave %s\n", i, names[i], e ? e->d_name : "the end");
			bad = 1;
		}
	}
	for (i = 0; i < n; i += 2) {
		seekdir(d, pos[i]);
		e = readdir(d);
		if (!e || strcmp(e->d_name, names[i])) {
			printf("seekdir to entry %d (%s) gave %s\n", i, names[i], e ? e->d_name : "the end");
			bad = 1;
		}
	}
	/* After the last entry, the position of the end reads nothing more. */
	seekdir(d, pos[n - 1]);
	readdir(d);
	{
		long end = telldir(d);
		rewinddir(d);
		seekdir(d, end);
		if ((e = readdir(d)) != NULL) {
			printf("the end position read %s\n", e->d_name);
			bad = 1;
		}
	}
	rewinddir(d);
	e = readdir(d);
	if (!e || strcmp(e->d_name, names[0])) {
		printf("rewinddir did not start over\n");
		bad = 1;
	}
	closedir(d);
	printf("%s\n", bad ? "positions wrong" : "positions ok");
	for (i = 0; i < n; i++)
		if (strcmp(names[i], ".") && strcmp(names[i], ".."))
			printf("%s\n", names[i]);
	return bad;
}

static int do_readdir_r(const char *dir, int is64)
{
	struct dirent64 ent64, *res64;
	struct dirent ent, *res;
	DIR *d = opendir(dir);
	int r;

	if (!d)
		return fail();
	printf("ok\n");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	for (;;) {
		const char *name;
		if (is64) {
			r = readdir64_r(d, &ent64, &res64);
			name = res64 ? res64->d_name : NULL;
		} else {
			r = readdir_r(d, &ent, &res);
			name = res ? res->d_name : NULL;
		}
		if (r) {
			errno = r;
			return fail();
		}
		if (!name)
			break;
		if (strcmp(name, ".") && strcmp(name, ".."))
			printf("%s\n", name);
	}
#pragma GCC diagnostic pop
	closedir(d);
	return 0;
}

/* dirfd(opendir(DIR)) names the same folder that stat(DIR) describes, and
 * openat() through it reaches the entries of the merged view. */
static int do_dirfd(const char *dir, const char *name)
{
	struct stat a, b;
	DIR *d = opendir(dir);
	int fd;

	if (!d || stat(dir, &a) < 0 || fstat(dirfd(d), &b) < 0)
		return fail();
	printf("%s\n", a.st_dev == b.st_dev && a.st_ino == b.st_ino ? "same folder" : "another folder");
	fd = openat(dirfd(d), name, O_RDONLY);
	if (fd < 0)
		return fail();
	printf("opened %s\n", name);
	close(fd);
	closedir(d);
	return 0;
}

/* ---- raw system calls ---------------------------------------------------------- */

static unsigned long long resolve_flags(const char *s)
{
	unsigned long long r = 0;

	for (; s && *s; s++) {
		switch (*s) {
		case 'B': r |= RESOLVE_BENEATH; break;
		case 'R': r |= RESOLVE_IN_ROOT; break;
		case 'S': r |= RESOLVE_NO_SYMLINKS; break;
		case 'M': r |= RESOLVE_NO_MAGICLINKS; break;
		case 'X': r |= RESOLVE_NO_XDEV; break;
		case '-': break;
		}
	}
	return r;
}

static int print_fd_content(int fd)
{
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	if (n < 0)
		return fail();
	buf[n] = '\0';
	printf("ok %s", buf);
	if (n == 0 || buf[n - 1] != '\n')
		printf("\n");
	close(fd);
	return 0;
}

static int do_syscall(int argc, char **argv)
{
	const char *op = argv[0] + 8; /* after "syscall-" */
	const char *a1 = argc > 1 ? argv[1] : NULL;
	const char *a2 = argc > 2 ? argv[2] : NULL;
	const char *a3 = argc > 3 ? argv[3] : NULL;
	long r;

	if (!strcmp(op, "openat2") || !strcmp(op, "openat2-w")) {
		/* syscall-openat2 DIR REL RESOLVE */
		struct open_how how;
		int dfd;

		if (argc < 4)
			return 2;
		memset(&how, 0, sizeof(how));
		how.flags = op[7] == '-' ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY;
		how.mode = op[7] == '-' ? 0644 : 0;
		how.resolve = resolve_flags(a3);
		dfd = strcmp(a1, ".") ? open(a1, O_RDONLY | O_DIRECTORY) : AT_FDCWD;
		if (dfd < 0 && dfd != AT_FDCWD)
			return fail();
		r = syscall(SYS_openat2, dfd, a2, &how, sizeof(how));
		if (r < 0)
			return fail();
		if (op[7] == '-') {
			if (write((int)r, "openat2\n", 8) != 8)
				return fail();
			close((int)r);
			printf("ok\n");
			return 0;
		}
		return print_fd_content((int)r);
	}
	if (!strcmp(op, "openat2-bad")) {
		/* A struct larger than the kernel's with a non-zero tail: E2BIG;
		 * a mode without O_CREAT: EINVAL. */
		struct {
			struct open_how how;
			unsigned long long extra;
		} big;
		memset(&big, 0, sizeof(big));
		big.extra = 1;
		r = syscall(SYS_openat2, AT_FDCWD, a1, &big, sizeof(big));
		printf("%s ", r < 0 ? errname(errno) : "opened");
		memset(&big, 0, sizeof(big));
		big.how.mode = 0600;
		r = syscall(SYS_openat2, AT_FDCWD, a1, &big.how, sizeof(big.how));
		printf("%s\n", r < 0 ? errname(errno) : "opened");
		return 0;
	}
	if (!strcmp(op, "open")) {
#ifdef SYS_open
		r = syscall(SYS_open, a1, O_RDONLY, 0);
#else
		r = syscall(SYS_openat, AT_FDCWD, a1, O_RDONLY, 0);
#endif
		return r < 0 ? fail() : print_fd_content((int)r);
	}
	if (!strcmp(op, "openat-w")) {
		r = syscall(SYS_openat, AT_FDCWD, a1, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (r < 0)
			return fail();
		if (a2 && write((int)r, a2, strlen(a2)) < 0)
			return fail();
		close((int)r);
		printf("ok\n");
		return 0;
	}
	if (!strcmp(op, "statx")) {
		struct statx stx;
		r = syscall(SYS_statx, AT_FDCWD, a1, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx);
		if (r < 0)
			return fail();
		printf("ok %c%04o %llu\n", type_of(stx.stx_mode), stx.stx_mode & 07777,
		       (unsigned long long)(S_ISDIR(stx.stx_mode) ? 0 : stx.stx_size));
		return 0;
	}
	if (!strcmp(op, "stat")) {
		struct stat st;
		r = syscall(SYS_newfstatat, AT_FDCWD, a1, &st, 0);
		if (r < 0)
			return fail();
		printf("ok");
		print_stat(&st);
		printf("\n");
		return 0;
	}
	if (!strcmp(op, "faccessat2")) {
		r = syscall(SYS_faccessat2, AT_FDCWD, a1, W_OK, 0);
		if (r < 0)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (!strcmp(op, "mkdirat")) {
		r = syscall(SYS_mkdirat, AT_FDCWD, a1, 0755);
		return r < 0 ? fail() : (printf("ok\n"), 0);
	}
	if (!strcmp(op, "unlinkat")) {
		r = syscall(SYS_unlinkat, AT_FDCWD, a1, a2 ? AT_REMOVEDIR : 0);
		return r < 0 ? fail() : (printf("ok\n"), 0);
	}
	if (!strcmp(op, "renameat2")) {
		r = syscall(SYS_renameat2, AT_FDCWD, a1, AT_FDCWD, a2, a3 ? 1 /* NOREPLACE */ : 0);
		return r < 0 ? fail() : (printf("ok\n"), 0);
	}
	if (!strcmp(op, "io_uring_setup")) {
		char params[120];
		memset(params, 0, sizeof(params));
		r = syscall(SYS_io_uring_setup, 4, params);
		if (r < 0)
			return fail();
		close((int)r);
		printf("ok\n");
		return 0;
	}
	if (!strcmp(op, "getpid")) {
		r = syscall(SYS_getpid);
		printf("%s\n", r == getpid() ? "ok" : "wrong pid");
		return 0;
	}
	if (!strcmp(op, "getcwd")) {
		char buf[PATH_MAX];
		r = syscall(SYS_getcwd, buf, sizeof(buf));
		if (r < 0)
			return fail();
		printf("ok %ld %s\n", r, buf);
		return 0;
	}
	return 2;
}

/* ---- names --------------------------------------------------------------------- */

static int print_name(const char *r)
{
	if (!r)
		return fail();
	printf("ok %s\n", r);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: rw_walk [cd DIR] OP ARGS...\n"
		"ops: nftw PATH FLAGS [NOPENFD] | nftw-v1 PATH FLAGS | ftw PATH\n"
		"     fts OPTIONS ROOT... | scandir DIR | scandir-sorted DIR | scandirat DIR REL\n"
		"     glob PATTERN [FLAGS] | glob-v1 PATTERN | getdents DIR | telldir DIR\n"
		"     readdir_r DIR | readdir64_r DIR | dirfd DIR NAME\n"
		"     syscall-{openat2,openat2-w} DIR REL RESOLVE | syscall-openat2-bad PATH\n"
		"     syscall-{open,statx,stat,faccessat2,mkdirat,io_uring_setup,getpid,getcwd} ...\n"
		"     syscall-openat-w PATH [TEXT] | syscall-unlinkat PATH [dir]\n"
		"     syscall-renameat2 A B [noreplace] | syscall-getdents DIR\n"
		"     realpath PATH | realpath-null PATH | realpath-v1 PATH | realpath-chk PATH\n"
		"     canonicalize PATH | getcwd | getcwd-chk | getwd | getwd-chk\n"
		"     get_current_dir_name\n");
	return 2;
}

static int run(int argc, char **argv)
{
	const char *op = argv[0];
	const char *a1 = argc > 1 ? argv[1] : NULL;
	const char *a2 = argc > 2 ? argv[2] : NULL;
	char buf[PATH_MAX];
	int r;

	if (!strcmp(op, "nftw") || !strcmp(op, "nftw-v1")) {
		int flags, nopen = a2 && argc > 3 ? atoi(argv[3]) : 16;
		if (!a1)
			return usage();
		flags = nftw_flags(a2 ? a2 : "");
#ifdef HAVE_V1
		if (op[4])
			r = nftw_v1(a1, nftw_cb, nopen, flags);
		else
#endif
			r = nftw(a1, nftw_cb, nopen, flags);
		if (r == -1)
			return fail();
		printf("end %d\n", r);
		return 0;
	}
	if (!strcmp(op, "ftw")) {
		if (!a1)
			return usage();
		r = ftw(a1, ftw_cb, 4);
		if (r == -1)
			return fail();
		printf("end %d\n", r);
		return 0;
	}
	if (!strcmp(op, "fts")) {
		if (argc < 3)
			return usage();
		return do_fts(a1, argv + 2);
	}
	if (!strcmp(op, "scandir") || !strcmp(op, "scandir-sorted")) {
		struct dirent **list = NULL;
		int n;
		if (!a1)
			return usage();
		n = scandir(a1, &list, no_dots, op[7] ? alphasort : NULL);
		return print_scandir(n, list);
	}
	if (!strcmp(op, "scandir64")) {
		struct dirent64 **list;
		int i, n;
		if (!a1)
			return usage();
		n = scandir64(a1, &list, NULL, alphasort64);
		if (n < 0)
			return fail();
		printf("ok %d\n", n);
		for (i = 0; i < n; i++) {
			if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, ".."))
				printf("%s %d\n", list[i]->d_name, list[i]->d_type);
			free(list[i]);
		}
		free(list);
		return 0;
	}
	if (!strcmp(op, "scandirat")) {
		struct dirent **list = NULL;
		int dfd, n;
		if (!a2)
			return usage();
		dfd = open(a1, O_RDONLY | O_DIRECTORY);
		if (dfd < 0)
			return fail();
		n = scandirat(dfd, a2, &list, no_dots, alphasort);
		return print_scandir(n, list);
	}
	if (!strcmp(op, "glob") || !strcmp(op, "glob-v1")) {
		glob_t g;
		if (!a1)
			return usage();
		memset(&g, 0, sizeof(g));
#ifdef HAVE_V1
		if (op[4])
			return print_glob(glob_v1(a1, glob_flags(a2), glob_err, &g), &g);
#endif
		return print_glob(glob(a1, glob_flags(a2), glob_err, &g), &g);
	}
	if (!strcmp(op, "getdents") || !strcmp(op, "syscall-getdents")) {
		if (!a1)
			return usage();
		return do_getdents(a1, op[0] == 's');
	}
	if (!strcmp(op, "telldir")) {
		if (!a1)
			return usage();
		return do_telldir(a1);
	}
	if (!strcmp(op, "readdir_r") || !strcmp(op, "readdir64_r")) {
		if (!a1)
			return usage();
		return do_readdir_r(a1, op[7] == '6');
	}
	if (!strcmp(op, "dirfd")) {
		if (!a2)
			return usage();
		return do_dirfd(a1, a2);
	}
	if (!strncmp(op, "syscall-", 8)) {
		r = do_syscall(argc, argv);
		return r == 2 ? usage() : r;
	}
	if (!strcmp(op, "realpath"))
		return print_name(realpath(a1, buf));
	if (!strcmp(op, "realpath-null")) {
		char *p = realpath(a1, NULL);
		r = print_name(p);
		free(p);
		return r;
	}
	if (!strcmp(op, "realpath-v1")) {
#ifdef HAVE_V1
		char *p = realpath_v1(a1, NULL);
		printf("with NULL: %s\n", p ? "a result" : errname(errno));
		return print_name(realpath_v1(a1, buf));
#else
		return print_name(realpath(a1, buf));
#endif
	}
	if (!strcmp(op, "realpath-chk"))
		return print_name(__realpath_chk(a1, buf, sizeof(buf)));
	if (!strcmp(op, "canonicalize")) {
		char *p = canonicalize_file_name(a1);
		r = print_name(p);
		free(p);
		return r;
	}
	if (!strcmp(op, "getcwd"))
		return print_name(getcwd(buf, sizeof(buf)));
	if (!strcmp(op, "getcwd-chk"))
		return print_name(__getcwd_chk(buf, sizeof(buf), sizeof(buf)));
	if (!strcmp(op, "getwd")) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		return print_name(getwd(buf));
#pragma GCC diagnostic pop
	}
	if (!strcmp(op, "getwd-chk"))
		return print_name(__getwd_chk(buf, sizeof(buf)));
	if (!strcmp(op, "get_current_dir_name")) {
		char *p = get_current_dir_name();
		r = print_name(p);
		free(p);
		return r;
	}
	return usage();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "cd") == 0) {
		if (chdir(argv[2]) < 0)
			return fail();
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return usage();
	return run(argc - 1, argv + 1);
}
