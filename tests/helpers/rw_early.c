/* SPDX-License-Identifier: MIT */
/*
 * rw_early - a program linked with librw_early, whose constructor makes
 * hooked calls before rwshim's constructor runs. Prints that library's
 * report, then what the program itself sees of RW_EARLY_DIR/early-made.
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
#include <unistd.h>

const char *rw_early_report(void);

int main(void)
{
	const char *dir = getenv("RW_EARLY_DIR");
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int fd;

	if (!dir) {
		fprintf(stderr, "rw_early: set RW_EARLY_DIR\n");
		return 2;
	}
	fputs(rw_early_report(), stdout);
	snprintf(path, sizeof(path), "%s/early-made", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("main-read: %s\n", strerror(errno));
		return 1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	printf("main-read: %s", buf);
	return 0;
}
