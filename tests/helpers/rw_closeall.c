/* SPDX-License-Identifier: MIT */
/*
 * rw_closeall - close every descriptor from 3 up, the way daemons and spawn
 * helpers do, then use the overlay, then optionally exec a command:
 *
 *   rw_closeall MODE PATH [CMD ARG...]
 *
 * MODE: close_range (close_range(3, ~0U, 0)), closefrom (closefrom(3)),
 * loop (close() of 3..1023), procfd (close() of each entry of /proc/self/fd).
 * Then appends "closeall\n" to PATH (a read-only folder under rwshim), reads
 * PATH back and prints it, and execs CMD if given. Exit 1 if the write or the
 * read fails.
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
#include <unistd.h>

static void close_procfd(void)
{
	int fds[4096], n = 0, i;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) && n < 4096) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd >= 3 && fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

int main(int argc, char **argv)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: rw_closeall close_range|closefrom|loop|procfd PATH [CMD...]\n");
		return 2;
	}
	if (!strcmp(argv[1], "close_range")) {
		close_range(3, ~0U, 0);
	} else if (!strcmp(argv[1], "closefrom")) {
		closefrom(3);
	} else if (!strcmp(argv[1], "loop")) {
		for (fd = 3; fd < 1024; fd++)
			close(fd);
	} else if (!strcmp(argv[1], "procfd")) {
		close_procfd();
	} else {
		fprintf(stderr, "rw_closeall: unknown mode %s\n", argv[1]);
		return 2;
	}
	fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0 || write(fd, "closeall\n", 9) != 9) {
		printf("write: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	fd = open(argv[2], O_RDONLY);
	if (fd < 0) {
		printf("read: %s\n", strerror(errno));
		return 1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	fputs(buf, stdout);
	fflush(stdout);
	if (argc > 3) {
		execvp(argv[3], argv + 3);
		printf("exec %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	return 0;
}
