/* SPDX-License-Identifier: MIT */
/*
 * rw_attack - what the t-attack-*.sh tests need that no shell tool does
 * (docs/SECURITY.md). Each mode is one attacker's move or one victim's
 * call; every loop is bounded by a time in seconds.
 *
 *   rw_attack exchange A B SECONDS
 *       swap A and B with renameat2(RENAME_EXCHANGE) in a loop; prints the
 *       number of swaps.
 *   rw_attack request SOCKET OP PATH
 *       one raw request to a root tree's storage helper (helper.h: a
 *       SOCK_SEQPACKET message, the op byte and a NUL-terminated path);
 *       prints "connect ERRNO" when refused, else "reply ok" or
 *       "reply ERRNO", or "reply none" when the helper closed without one.
 *   rw_attack requests SOCKET OP PREFIX N SECONDS
 *       raw requests for PREFIX1 .. PREFIXN, round and round, for SECONDS;
 *       prints the number asked and the number answered ok.
 *   rw_attack race-copy SOCKET PREFIX N SECONDS UPPERDIR MARK
 *       copy-up requests for PREFIX1 .. PREFIXN for SECONDS; after each,
 *       a copy in UPPERDIR (the attacker's mirrored folder) that is set-id
 *       and holds MARK is a win and stays, any other is removed so that
 *       the name can be tried again; prints "asked N ok N won N".
 *   rw_attack idle SOCKET SECONDS
 *       connect and send nothing for SECONDS; prints "connected" first.
 *   rw_attack small-stack DIR
 *       a thread with a 32 KiB stack calls open, stat, mkdir on paths
 *       under DIR; prints "ok" when it returns.
 *   rw_attack altstack DIR
 *       a SIGUSR1 handler on a 32 KiB sigaltstack opens DIR/sig for
 *       writing; prints "ok" or the errno name.
 *
 * Plain C and libc only: the library is loaded into it in some tests.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "errname.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exchange(const char *a, const char *b, double secs)
{
	double end = now() + secs;
	unsigned long n = 0, i;

	while (now() < end)
		for (i = 0; i < 1000; i++)
			if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0)
				n++;
	printf("%lu\n", n);
	return 0;
}

/* Connect to unix socket @path, through /proc/self/fd/N/NAME when @path is
 * longer than sun_path holds (the session's paths often are). */
static int sock_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), dfd = -1, e;
	const char *slash = strrchr(path, '/');

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) < sizeof(sa.sun_path)) {
		strcpy(sa.sun_path, path);
	} else if (slash && slash != path) {
		char dir[4096];
		size_t n = (size_t)(slash - path);

		if (n >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			close(fd);
			return -1;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, slash + 1);
	} else {
		errno = ENAMETOOLONG;
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		if (dfd >= 0)
			close(dfd);
		errno = e;
		return -1;
	}
	if (dfd >= 0)
		close(dfd);
	return fd;
}

/* One request; returns the helper's reply (0 or -errno), or 1 without one,
 * or 2 when the connection was refused (errno set). */
static int ask(const char *sock, char op, const char *path)
{
	char msg[4200];
	size_t len = strlen(path);
	int fd, r;
	ssize_t n;

	if (len + 2 > sizeof(msg))
		return -ENAMETOOLONG;
	fd = sock_connect(sock);
	if (fd < 0)
		return 2;
	msg[0] = op;
	memcpy(msg + 1, path, len + 1);
	if (send(fd, msg, len + 2, MSG_NOSIGNAL) < 0) {
		close(fd);
		return 1;
	}
	do
		n = recv(fd, &r, sizeof(r), 0);
	while (n < 0 && errno == EINTR);
	close(fd);
	return n == (ssize_t)sizeof(r) ? r : 1;
}

/* Requests for PREFIX1 .. PREFIXn, round and round, for @secs seconds;
 * prints how many were answered ok. */
static int requests(const char *sock, const char *op, const char *prefix, int count, double secs)
{
	double end = now() + secs;
	unsigned long asked = 0, okays = 0;
	char path[4096];
	int i = 0;

	while (now() < end) {
		snprintf(path, sizeof(path), "%s%d", prefix, i % count + 1);
		if (ask(sock, op[0], path) == 0)
			okays++;
		asked++;
		i++;
	}
	printf("%lu %lu\n", asked, okays);
	return 0;
}

/* The copy-up race's asking side: copy-up requests for PREFIX1 ..
 * PREFIXn, round and round, for @secs seconds. After each, the copy at
 * UPPERDIR/NAME is looked at: one that is set-id and holds @mark (the
 * attacker's program) is a win and stays; any other is removed (the
 * attacker owns UPPERDIR, its mirrored folder), so the name can be tried
 * again. Prints "asked N ok N won N". */
static int race_copy(const char *sock, const char *prefix, int count, double secs,
		     const char *upperdir, const char *mark)
{
	double end = now() + secs;
	unsigned long asked = 0, okays = 0, won = 0;
	const char *base = strrchr(prefix, '/') ? strrchr(prefix, '/') + 1 : prefix;
	char path[4096], copy[4096], buf[256];
	int i = 0;

	while (now() < end && !won) {
		struct stat st;
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "%s%d", prefix, i % count + 1);
		snprintf(copy, sizeof(copy), "%s/%s%d", upperdir, base, i % count + 1);
		i++;
		asked++;
		if (ask(sock, 'C', path) != 0)
			continue;
		okays++;
		if (lstat(copy, &st) < 0)
			continue;
		if ((st.st_mode & (S_ISUID | S_ISGID)) && (fd = open(copy, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			if (strstr(buf, mark)) {
				won++;
				break;
			}
		}
		unlink(copy);
	}
	printf("asked %lu ok %lu won %lu\n", asked, okays, won);
	return 0;
}

static int request(const char *sock, const char *op, const char *path)
{
	int r = ask(sock, op[0], path);

	if (r == 2)
		printf("connect %s\n", errname(errno));
	else if (r == 1)
		printf("reply none\n");
	else if (r == 0)
		printf("reply ok\n");
	else
		printf("reply %s\n", errname(-r));
	return r != 0;
}

static int idle(const char *sock, double secs)
{
	int fd = sock_connect(sock);

	if (fd < 0) {
		printf("connect %s\n", errname(errno));
		return 1;
	}
	printf("connected\n");
	fflush(stdout);
	usleep((useconds_t)(secs * 1e6));
	close(fd);
	return 0;
}

static const char *base;

static void *small_stack_thread(void *arg)
{
	char p[4096];
	struct stat st;
	int fd;

	(void)arg;
	snprintf(p, sizeof(p), "%s/thr-file", base);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		(void)!write(fd, "t\n", 2);
		close(fd);
	}
	stat(p, &st);
	snprintf(p, sizeof(p), "%s/thr-dir", base);
	mkdir(p, 0755);
	stat(p, &st);
	snprintf(p, sizeof(p), "%s/thr-missing", base);
	stat(p, &st);
	return NULL;
}

static int small_stack(const char *dir)
{
	pthread_attr_t a;
	pthread_t t;
	int e;

	base = dir;
	pthread_attr_init(&a);
	if ((e = pthread_attr_setstacksize(&a, 32768)) != 0 ||
	    (e = pthread_create(&t, &a, small_stack_thread, NULL)) != 0) {
		printf("%s\n", errname(e));
		return 1;
	}
	pthread_join(t, NULL);
	printf("ok\n");
	return 0;
}

static volatile sig_atomic_t handler_errno = -1;

static void on_usr1(int sig)
{
	char p[512];
	size_t n = strlen(base);
	int fd;

	(void)sig;
	if (n + 5 > sizeof(p))
		return;
	memcpy(p, base, n);
	memcpy(p + n, "/sig", 5);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	handler_errno = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
}

static int altstack(const char *dir)
{
	static char stack[32768];
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack), .ss_flags = 0 };
	struct sigaction sa;

	base = dir;
	if (sigaltstack(&ss, NULL) < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("%s\n", handler_errno == 0 ? "ok" : handler_errno < 0 ? "not-run" : errname(handler_errno));
	return handler_errno == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "exchange"))
		return exchange(argv[2], argv[3], atof(argv[4]));
	if (argc == 8 && !strcmp(argv[1], "race-copy"))
		return race_copy(argv[2], argv[3], atoi(argv[4]), atof(argv[5]), argv[6], argv[7]);
	if (argc == 7 && !strcmp(argv[1], "requests"))
		return requests(argv[2], argv[3], argv[4], atoi(argv[5]), atof(argv[6]));
	if (argc == 5 && !strcmp(argv[1], "request"))
		return request(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "idle"))
		return idle(argv[2], atof(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "small-stack"))
		return small_stack(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "altstack"))
		return altstack(argv[2]);
	fprintf(stderr, "usage: rw_attack exchange A B SECS | request SOCK OP PATH |"
			" requests SOCK OP PREFIX N SECS |"
			" race-copy SOCK PREFIX N SECS UPPERDIR MARK | idle SOCK SECS |"
			" small-stack DIR | altstack DIR\n");
	return 2;
}
