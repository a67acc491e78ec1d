/* SPDX-License-Identifier: MIT */
/*
 * rw_smallstack - run hooked calls on a small stack and say how much of it
 * each one used.
 *
 *   rw_smallstack [-s BYTES] [-m thread|signal|main] OP[:ARG[:ARG]]...
 *
 * Each OP runs in a child process of its own (so one that overflows its
 * stack is reported and the next still runs), on the stack -m names:
 *   thread  a thread made with pthread_attr_setstacksize(BYTES) (default)
 *   signal  a SIGUSR1 handler on a BYTES alternate stack (sigaltstack,
 *           SA_ONSTACK), raised from the main thread
 *   main    the main thread's own stack (to measure without a limit)
 * BYTES defaults to 32768. Before the call, the free part of that stack
 * below the caller is filled with a pattern; afterwards the deepest byte
 * changed gives the bytes the call used (the hook, libc, the kernel's
 * signal frame not included).
 *
 * OPs (paths absolute):
 *   creat:PATH          open(O_WRONLY|O_CREAT|O_TRUNC) and write "x"
 *   open:PATH           open(O_RDONLY) and read
 *   append:PATH         open(O_WRONLY|O_APPEND) and write "x" (copy-up)
 *   stat:PATH           stat
 *   mkdir:PATH          mkdir 0755
 *   rename:FROM:TO      rename
 *   unlink:PATH         unlink
 *   rmdir:PATH          rmdir
 *   readdir:PATH        opendir, readdir to the end (count), closedir
 *   chdir:PATH          chdir, then getcwd
 *
 * One line per OP: "OP ok used=N" (with "n=COUNT" for readdir, "cwd=..."
 * for chdir), "OP ERRNAME used=N", or "OP killed=SIGNAME" when it died.
 * Exit status 0 when every OP printed ok, 1 otherwise, 2 on a usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errname.h"

#define PATTERN 0xa5
#define MARGIN 256 /* left unfilled below the caller's frame */

static const char *op_name, *arg1, *arg2;
static char result[PATH_MAX + 64];
static size_t used;
static char *stack_lo; /* lowest usable byte of the stack in use */

static int run_op(void)
{
	char buf[64];
	int fd, e;
	ssize_t n;

	if (!strcmp(op_name, "creat") || !strcmp(op_name, "append")) {
		int fl = !strcmp(op_name, "creat") ? O_WRONLY | O_CREAT | O_TRUNC : O_WRONLY | O_APPEND;
		if ((fd = open(arg1, fl, 0644)) < 0)
			return -errno;
		n = write(fd, "x", 1);
		e = errno;
		close(fd);
		return n == 1 ? 0 : -e;
	}
	if (!strcmp(op_name, "open")) {
		if ((fd = open(arg1, O_RDONLY)) < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf));
		e = errno;
		close(fd);
		return n < 0 ? -e : 0;
	}
	if (!strcmp(op_name, "stat")) {
		struct stat st;
		return stat(arg1, &st) < 0 ? -errno : 0;
	}
	if (!strcmp(op_name, "mkdir"))
		return mkdir(arg1, 0755) < 0 ? -errno : 0;
	if (!strcmp(op_name, "rename"))
		return arg2 && rename(arg1, arg2) < 0 ? -errno : arg2 ? 0 : -EINVAL;
	if (!strcmp(op_name, "unlink"))
		return unlink(arg1) < 0 ? -errno : 0;
	if (!strcmp(op_name, "rmdir"))
		return rmdir(arg1) < 0 ? -errno : 0;
	if (!strcmp(op_name, "readdir")) {
		DIR *d = opendir(arg1);
		long count = 0;
		if (!d)
			return -errno;
		errno = 0;
		while (readdir(d))
			count++;
		e = errno;
		closedir(d);
		if (e)
			return -e;
		snprintf(result, sizeof(result), " n=%ld", count);
		return 0;
	}
	if (!strcmp(op_name, "chdir")) {
		static char cwd[PATH_MAX]; /* the program's buffer: not on the stack */
		if (chdir(arg1) < 0 || !getcwd(cwd, sizeof(cwd)))
			return -errno;
		snprintf(result, sizeof(result), " cwd=%s", cwd);
		return 0;
	}
	return -EINVAL;
}

/* Fill the stack from stack_lo to just below this frame, run the OP, and
 * find the deepest byte it changed. */
static __attribute__((noinline)) int measured(void)
{
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	char *top = (char *)(here - MARGIN), *p;
	int r;

	memset(stack_lo, PATTERN, (size_t)(top - stack_lo));
	r = run_op();
	for (p = stack_lo; p < top && (unsigned char)*p == PATTERN; p++)
		;
	used = (size_t)(here - (uintptr_t)p);
	return r;
}

static volatile int sig_result;

static void on_signal(int sig)
{
	(void)sig;
	sig_result = measured();
}

static void *thread_main(void *arg)
{
	pthread_attr_t a;
	void *addr;
	size_t size;

	(void)arg;
	if (pthread_getattr_np(pthread_self(), &a) != 0 || pthread_attr_getstack(&a, &addr, &size) != 0)
		return (void *)(intptr_t)-EINVAL;
	pthread_attr_destroy(&a);
	stack_lo = (char *)addr + 64;
	return (void *)(intptr_t)measured();
}

static int run_in(const char *mode, size_t stack)
{
	if (!strcmp(mode, "thread")) {
		pthread_attr_t a;
		pthread_t t;
		void *ret;
		if (pthread_attr_init(&a) || pthread_attr_setstacksize(&a, stack) ||
		    pthread_create(&t, &a, thread_main, NULL) || pthread_join(t, &ret))
			return -EAGAIN;
		return (int)(intptr_t)ret;
	}
	if (!strcmp(mode, "signal")) {
		stack_t ss;
		struct sigaction sa;
		char *mem = mmap(NULL, stack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return -ENOMEM;
		ss.ss_sp = mem;
		ss.ss_size = stack;
		ss.ss_flags = 0;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sa.sa_flags = SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		if (sigaltstack(&ss, NULL) < 0 || sigaction(SIGUSR1, &sa, NULL) < 0)
			return -errno;
		stack_lo = mem + 64;
		raise(SIGUSR1);
		return sig_result;
	}
	{
		/* main: 1 MiB below here is ours to fill (the default limit is 8 MiB). */
		stack_lo = (char *)((uintptr_t)__builtin_frame_address(0) - (1 << 20));
		return measured();
	}
}

int main(int argc, char **argv)
{
	const char *mode = "thread";
	size_t stack = 32768;
	int i, bad = 0, c;

	while ((c = getopt(argc, argv, "s:m:")) != -1) {
		if (c == 's')
			stack = strtoul(optarg, NULL, 0);
		else if (c == 'm')
			mode = optarg;
		else
			return 2;
	}
	if (optind >= argc || (strcmp(mode, "thread") && strcmp(mode, "signal") && strcmp(mode, "main")))
		return fprintf(stderr, "usage: rw_smallstack [-s BYTES] [-m thread|signal|main] OP[:ARG]...\n"), 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = optind; i < argc; i++) {
		char spec[2 * PATH_MAX], *colon;
		int pfd[2], status;
		pid_t pid;

		snprintf(spec, sizeof(spec), "%s", argv[i]);
		op_name = spec;
		arg1 = arg2 = NULL;
		if ((colon = strchr(spec, ':'))) {
			*colon = '\0';
			arg1 = colon + 1;
			if ((colon = strchr(arg1, ':'))) {
				*colon = '\0';
				arg2 = colon + 1;
			}
		}
		if (pipe(pfd) < 0)
			return 2;
		pid = fork();
		if (pid == 0) {
			int r;
			close(pfd[0]);
			result[0] = '\0';
			r = run_in(mode, stack);
			dprintf(pfd[1], "%s %s used=%zu%s\n", op_name, r < 0 ? errname(-r) : "ok", used,
				result);
			_exit(r < 0);
		}
		close(pfd[1]);
		{
			char line[PATH_MAX + 128];
			ssize_t n = read(pfd[0], line, sizeof(line) - 1);
			close(pfd[0]);
			if (waitpid(pid, &status, 0) < 0)
				return 2;
			if (WIFSIGNALED(status)) {
				printf("%s killed=%s\n", op_name, sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
				bad = 1;
			} else {
				if (n > 0) {
					line[n] = '\0';
					fputs(line, stdout);
				}
				if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
					bad = 1;
			}
		}
	}
	return bad;
}
