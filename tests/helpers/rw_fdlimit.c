/* SPDX-License-Identifier: MIT */
/*
 * rw_fdlimit - a program at its descriptor limit (ulimit -n): fill every
 * free descriptor, free SPARE of them, make one call, and report.
 *
 *   rw_fdlimit SPARE OP PATH [TEXT]
 *
 * OP: open-w (O_WRONLY|O_CREAT|O_TRUNC, writes TEXT), open-a (O_APPEND,
 * writes TEXT: a copy-up of a read-only file), open-r, stat, readdir,
 * mkdir, unlink.
 *
 * Prints one line: "<result> leaked=<n> then=<result>": the result of the
 * call at the limit ("ok" or the errno name), how many descriptors the call
 * left open that were not open before (a descriptor it returned is closed
 * first), and the result of the same call once the filler descriptors are
 * closed again (for open-w/open-a the call is then repeated; others too).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXFD 65536

static const char *ename(int e)
{
	switch (e) {
	case 0: return "ok";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case ENOENT: return "ENOENT";
	case EROFS: return "EROFS";
	case EEXIST: return "EEXIST";
	case EACCES: return "EACCES";
	case ENOMEM: return "ENOMEM";
	case EBADF: return "EBADF";
	case ENOTDIR: return "ENOTDIR";
	default: {
		static char b[16];
		snprintf(b, sizeof(b), "E%d", e);
		return b;
	}
	}
}

/* One call; returns 0 or an errno value. */
static int op(const char *name, const char *path, const char *text)
{
	struct stat st;
	int fd = -1, e = 0;

	if (!strcmp(name, "open-w") || !strcmp(name, "open-a")) {
		int fl = name[5] == 'w' ? O_WRONLY | O_CREAT | O_TRUNC : O_WRONLY | O_APPEND;
		fd = open(path, fl, 0644);
		if (fd < 0)
			return errno;
		if (text && write(fd, text, strlen(text)) != (ssize_t)strlen(text))
			e = errno;
		close(fd);
		return e;
	}
	if (!strcmp(name, "open-r")) {
		char buf[256];
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return errno;
		if (read(fd, buf, sizeof(buf)) < 0)
			e = errno;
		close(fd);
		return e;
	}
	if (!strcmp(name, "stat"))
		return stat(path, &st) < 0 ? errno : 0;
	if (!strcmp(name, "readdir")) {
		DIR *d = opendir(path);
		if (!d)
			return errno;
		while (readdir(d))
			;
		closedir(d);
		return 0;
	}
	if (!strcmp(name, "mkdir"))
		return mkdir(path, 0755) < 0 ? errno : 0;
	if (!strcmp(name, "unlink"))
		return unlink(path) < 0 ? errno : 0;
	fprintf(stderr, "rw_fdlimit: unknown op %s\n", name);
	exit(2);
}

static char open_before[MAXFD];

int main(int argc, char **argv)
{
	static int filler[MAXFD];
	struct rlimit rl;
	int nfill = 0, spare, i, r, r2, leaked = 0, lim;

	if (argc < 4) {
		fprintf(stderr, "usage: rw_fdlimit SPARE OP PATH [TEXT]\n");
		return 2;
	}
	spare = atoi(argv[1]);
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > MAXFD) {
		fprintf(stderr, "rw_fdlimit: set ulimit -n to at most %d\n", MAXFD);
		return 2;
	}
	lim = (int)rl.rlim_cur;
	for (;;) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0)
			break;
		filler[nfill++] = fd;
	}
	for (i = 0; i < spare && nfill > 0; i++)
		close(filler[--nfill]);
	for (i = 0; i < lim; i++)
		open_before[i] = fcntl(i, F_GETFD) >= 0;
	r = op(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
	for (i = 0; i < lim; i++)
		if (!open_before[i] && fcntl(i, F_GETFD) >= 0)
			leaked++;
	for (i = 0; i < nfill; i++)
		close(filler[i]);
	r2 = op(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
	printf("%s leaked=%d ", ename(r), leaked);
	printf("then=%s\n", ename(r2));
	return 0;
}
