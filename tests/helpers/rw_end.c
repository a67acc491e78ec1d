/* SPDX-License-Identifier: MIT */
/*
 * rw_end - write a line into PATH (a read-only folder under rwshim), say
 * "written" on stdout, then end the process the way MODE says:
 *   return | exit | _exit | abort | segv | term | pause (wait to be killed)
 * so a test can check the storage outlives it while a sibling still runs
 * and is removed once the last process of the tree is gone.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *mode;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: rw_end PATH MODE\n");
		return 2;
	}
	mode = argv[2];
	fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0 || write(fd, "end\n", 4) != 4) {
		printf("write failed: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	printf("written\n");
	fflush(stdout);
	if (!strcmp(mode, "return"))
		return 0;
	if (!strcmp(mode, "exit"))
		exit(3);
	if (!strcmp(mode, "_exit"))
		_exit(4);
	if (!strcmp(mode, "abort"))
		abort();
	if (!strcmp(mode, "segv")) {
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	}
	if (!strcmp(mode, "term")) {
		signal(SIGTERM, SIG_DFL);
		raise(SIGTERM);
	}
	if (!strcmp(mode, "pause")) {
		for (;;)
			pause();
	}
	fprintf(stderr, "rw_end: unknown mode %s\n", mode);
	return 2;
}
