/* SPDX-License-Identifier: MIT */
/*
 * librw_early - a library whose constructor calls hooked functions before
 * rwshim's own constructor has run: rw_early links it, and the loader runs
 * the constructors of a program's libraries before those of LD_PRELOAD
 * libraries. With RW_EARLY_DIR set, the constructor reads and stats
 * DIR/hello.txt, writes DIR/early-made (a read-only folder under rwshim) and
 * stats it; rw_early_report() hands the outcomes to the program.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char report[1024];

static const char *res(int r, int e)
{
	static char buf[4][32];
	static int k;
	char *b = buf[k++ % 4];

	if (r >= 0)
		snprintf(b, 32, "ok %d", r);
	else
		snprintf(b, 32, "%s", strerror(e));
	return b;
}

__attribute__((constructor)) static void early(void)
{
	const char *dir = getenv("RW_EARLY_DIR");
	const char *sess = getenv("RWSHIM_SESSION");
	char path[PATH_MAX], buf[64];
	struct stat st;
	int fd, r1, e1, r2, e2, r3, e3, r4, e4;
	ssize_t n = -1;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/hello.txt", dir);
	errno = 0;
	fd = open(path, O_RDONLY);
	e1 = errno;
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	r1 = (int)n;
	errno = 0;
	r2 = stat(path, &st) == 0 ? (int)st.st_size : -1;
	e2 = errno;
	snprintf(path, sizeof(path), "%s/early-made", dir);
	errno = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	e3 = errno;
	r3 = fd < 0 ? -1 : (int)write(fd, "early\n", 6);
	if (fd >= 0)
		close(fd);
	errno = 0;
	r4 = stat(path, &st) == 0 ? (int)st.st_size : -1;
	e4 = errno;
	snprintf(report, sizeof(report),
		 "session-before-ctor: %s\nctor-read: %s\nctor-stat: %s\nctor-write: %s\n"
		 "ctor-stat-new: %s\n",
		 sess ? "set" : "unset", res(r1, e1), res(r2, e2), res(r3, e3), res(r4, e4));
}

const char *rw_early_report(void)
{
	return report;
}
