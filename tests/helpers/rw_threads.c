/* SPDX-License-Identifier: MIT */
/*
 * rw_threads - threads, fork, vfork, posix_spawn, signal handlers and
 * cancellation around the hooked functions, each as one subcommand. DIR is a
 * folder in the read-only lower; every subcommand first writes DIR/.live so
 * the overlay is live and the hooks take their full path, not the shortcut.
 *
 *   rw_threads fork DIR ITER      4 threads loop in hooks (open, stat,
 *                                 append, listings, rename) while the main
 *                                 thread forks ITER times; each child makes
 *                                 hooked calls and must exit within 10 s
 *   rw_threads vfork DIR          a vfork child writes and reads in DIR, then
 *                                 execs cat on what it wrote (true when
 *                                 RWSHIM_SCOPE=process: cat would have an
 *                                 overlay of its own)
 *   rw_threads spawn DIR          posix_spawn with file actions that open
 *                                 paths in DIR (stdout into a new file, stdin
 *                                 from a file only the overlay has)
 *   rw_threads signal DIR ITER    a signal handler that calls open(), creat
 *                                 and stat interrupts the main loop of hooked
 *                                 calls every 100 microseconds
 *   rw_threads cancel FIFO DIR ITER
 *                                 a thread blocked in open() of FIFO is
 *                                 cancelled; then ITER threads looping in
 *                                 hooks (listings, copy-up, reads) are
 *                                 cancelled at random points; afterwards no
 *                                 descriptor a hook opened is left over, no
 *                                 half-made copy-up either, and hooks still work
 *
 * Prints "ok ..." and exits 0, or "FAIL: ..." lines and exits 1.
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
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *dir;
static int fails;

#define FAIL(...)                                          \
	do {                                               \
		fails++;                                   \
		fprintf(stderr, "FAIL: " __VA_ARGS__);     \
		fputc('\n', stderr);                       \
	} while (0)

static void pathf(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pathf(char *out, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(out, PATH_MAX, "%s/", dir);

	va_start(ap, fmt);
	vsnprintf(out + n, PATH_MAX - (size_t)n, fmt, ap);
	va_end(ap);
}

static int write_file(const char *path, const char *text, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	size_t n = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, n) != (ssize_t)n) {
		int e = errno;
		close(fd);
		return -e;
	}
	return close(fd) < 0 ? -errno : 0;
}

/* Read @path into @buf (NUL-terminated); the length or -errno. */
static long read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	if (n < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	buf[n] = '\0';
	close(fd);
	return n;
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static int make_live(void)
{
	char p[PATH_MAX];
	int r;

	pathf(p, ".live");
	r = write_file(p, "live\n", O_TRUNC);
	if (r < 0) {
		FAIL("cannot write %s: %s", p, strerror(-r));
		return -1;
	}
	return 0;
}

/* ---- threads busy in hooks ------------------------------------------------ */

static volatile int stop_busy;

static void *busy(void *arg)
{
	long id = (long)arg, i = 0;
	char p[PATH_MAX], q[PATH_MAX], buf[256];
	struct stat st;

	while (!__atomic_load_n(&stop_busy, __ATOMIC_RELAXED)) {
		switch (i++ % 6) {
		case 0:
			pathf(p, "busy.%ld", id);
			write_file(p, "busy\n", O_APPEND);
			break;
		case 1:
			pathf(p, "busy.%ld", id);
			read_file(p, buf, sizeof(buf));
			break;
		case 2:
			pathf(p, "nothing-here.%ld", id);
			stat(p, &st);
			break;
		case 3:
			count_entries(dir);
			break;
		case 4:
			pathf(p, "busy-tmp.%ld", id);
			pathf(q, "busy-renamed.%ld", id);
			if (write_file(p, "tmp\n", O_TRUNC) == 0)
				rename(p, q);
			break;
		case 5:
			pathf(p, "busy-renamed.%ld", id);
			unlink(p);
			break;
		}
	}
	return NULL;
}

static int start_busy(pthread_t *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, busy, (void *)(long)i)) {
			FAIL("pthread_create");
			return -1;
		}
	return 0;
}

static void stop_busy_threads(pthread_t *t, int n)
{
	int i;

	__atomic_store_n(&stop_busy, 1, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

/* Wait up to @secs for @pid; 0 and its status, or -1 after killing it. */
static int wait_timeout(pid_t pid, int *status, int secs)
{
	int i;

	for (i = 0; i < secs * 1000; i++) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return -1;
}

/* What a child of a multithreaded parent does: hooked calls of every kind. */
static int child_work(int iter)
{
	char p[PATH_MAX], buf[256];
	struct stat st;

	pathf(p, "child.%d", iter % 16);
	if (write_file(p, "child\n", O_TRUNC) < 0)
		return 10;
	if (read_file(p, buf, sizeof(buf)) != 6 || strcmp(buf, "child\n"))
		return 11;
	if (stat(p, &st) < 0 || st.st_size != 6)
		return 12;
	if (count_entries(dir) < 3)
		return 13;
	pathf(p, ".live");
	if (read_file(p, buf, sizeof(buf)) != 5)
		return 14;
	return 0;
}

static int cmd_fork(int iters)
{
	pthread_t t[4];
	int i, hung = 0, bad = 0;

	if (make_live() < 0 || start_busy(t, 4) < 0)
		return 1;
	for (i = 0; i < iters; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0) {
			FAIL("fork: %s", strerror(errno));
			break;
		}
		if (pid == 0)
			_exit(child_work(i));
		if (wait_timeout(pid, &st, 10) < 0) {
			if (hung++ < 5)
				FAIL("fork %d: the child did not finish within 10 s (deadlock)", i);
			continue;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			if (bad++ < 5)
				FAIL("fork %d: the child's hooked calls failed (status %d, step %d)", i, st,
				     WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
		}
	}
	stop_busy_threads(t, 4);
	if (fails)
		return 1;
	printf("ok forks=%d with 4 threads in hooks\n", iters);
	return 0;
}

/* ---- vfork --------------------------------------------------------------- */

static int cmd_vfork(void)
{
	char p[PATH_MAX], q[PATH_MAX], buf[256];
	volatile int child_r1 = 0, child_r2 = 0;
	const char *scope = getenv("RWSHIM_SCOPE");
	int scope_process = scope && !strcmp(scope, "process");
	int st;
	pid_t pid;

	if (make_live() < 0)
		return 1;
	pathf(p, "vfork-made");
	pathf(q, ".live");
	pid = vfork();
	if (pid < 0) {
		FAIL("vfork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		/* Only hooked calls and exec: the child shares our memory. */
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			child_r1 = errno;
			_exit(3);
		}
		if (write(fd, "from vfork child\n", 17) != 17)
			_exit(4);
		close(fd);
		fd = open(q, O_RDONLY);
		if (fd < 0) {
			child_r2 = errno;
			_exit(5);
		}
		close(fd);
		/* A program exec'd in process scope has an overlay of its own. */
		if (scope_process)
			execl("/bin/true", "true", (char *)NULL);
		else
			execl("/bin/cat", "cat", p, (char *)NULL);
		_exit(6);
	}
	if (wait_timeout(pid, &st, 10) < 0) {
		FAIL("the vfork child hung");
		return 1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		FAIL("the vfork child failed: status %d (open errors: %s, %s)", st,
		     strerror(child_r1), strerror(child_r2));
	if (read_file(p, buf, sizeof(buf)) < 0 || strcmp(buf, "from vfork child\n"))
		FAIL("the parent does not read what the vfork child wrote to %s", p);
	/* The parent's own hooks still work after the child borrowed its memory. */
	pathf(p, "after-vfork");
	if (write_file(p, "after\n", O_TRUNC) < 0 || read_file(p, buf, sizeof(buf)) != 6)
		FAIL("hooks in the parent after vfork");
	if (fails)
		return 1;
	printf("ok vfork child wrote, read and exec'd\n");
	return 0;
}

/* ---- posix_spawn ------------------------------------------------------------ */

static int cmd_spawn(void)
{
	char out[PATH_MAX], in[PATH_MAX], buf[256];
	posix_spawn_file_actions_t fa;
	char *argv_echo[] = { "echo", "spawned", NULL };
	char *argv_cat[] = { "cat", NULL };
	pid_t pid;
	int r, st;

	if (make_live() < 0)
		return 1;
	/* stdout of a spawned echo into a new file in the read-only folder. */
	pathf(out, "spawn-out");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	r = posix_spawn(&pid, "/bin/echo", &fa, NULL, argv_echo, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		FAIL("posix_spawn with stdout opened on %s: %s", out, strerror(r));
	} else if (wait_timeout(pid, &st, 10) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		FAIL("the spawned echo with stdout on %s failed (status %d)", out, st);
	} else if (read_file(out, buf, sizeof(buf)) < 0 || strcmp(buf, "spawned\n")) {
		FAIL("%s does not hold what the spawned echo wrote", out);
	}

	/* stdin of a spawned cat from a file that only the overlay has. */
	pathf(in, "spawn-in");
	if (write_file(in, "overlay only\n", O_TRUNC) < 0) {
		FAIL("cannot write %s", in);
		return 1;
	}
	pathf(out, "spawn-cat");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	r = posix_spawnp(&pid, "cat", &fa, NULL, argv_cat, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		FAIL("posix_spawnp with stdin from %s: %s", in, strerror(r));
	} else if (wait_timeout(pid, &st, 10) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		FAIL("the spawned cat with stdin from an overlay file failed (status %d)", st);
	} else if (read_file(out, buf, sizeof(buf)) < 0 || strcmp(buf, "overlay only\n")) {
		FAIL("%s does not hold what the spawned cat copied", out);
	}
	if (fails)
		return 1;
	printf("ok posix_spawn file actions opened paths in the merged view\n");
	return 0;
}

/* ---- signal handlers ------------------------------------------------------ */

static volatile sig_atomic_t handled, handler_bad;
static char sig_paths[8][PATH_MAX];
static char sig_live[PATH_MAX];

static void on_alarm(int sig)
{
	int saved = errno, fd;
	struct stat st;

	(void)sig;
	fd = open(sig_paths[handled % 8], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "sig\n", 4) != 4)
		handler_bad++;
	if (fd >= 0)
		close(fd);
	fd = open(sig_live, O_RDONLY);
	if (fd < 0)
		handler_bad++;
	else
		close(fd);
	if (stat(sig_paths[handled % 8], &st) < 0 || st.st_size != 4)
		handler_bad++;
	handled++;
	errno = saved;
}

static int cmd_signal(int iters)
{
	struct itimerval it = { { 0, 100 }, { 0, 100 } };
	struct sigaction sa;
	char p[PATH_MAX], q[PATH_MAX], buf[256];
	struct stat st;
	int i, k;

	if (make_live() < 0)
		return 1;
	for (k = 0; k < 8; k++)
		pathf(sig_paths[k], "sig.%d", k);
	pathf(sig_live, ".live");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; i < iters; i++) {
		long n;
		pathf(p, "main.%d", i % 32);
		if ((n = write_file(p, "main\n", O_TRUNC)) < 0 && n != -EINTR)
			FAIL("main loop: write %s: %s", p, strerror((int)-n));
		if ((n = read_file(p, buf, sizeof(buf))) != 5 && n != -EINTR)
			FAIL("main loop: read %s gave %ld", p, n);
		errno = 0;
		pathf(q, "missing.%d", i % 32);
		if (stat(q, &st) == 0 || (errno != ENOENT && errno != EINTR))
			FAIL("main loop: stat of a missing file: errno %d, expected ENOENT", errno);
		if (i % 8 == 0 && count_entries(dir) < 3)
			FAIL("main loop: listing");
		pathf(q, "main-renamed.%d", i % 32);
		if (rename(p, q) < 0 && errno != EINTR)
			FAIL("main loop: rename: %s", strerror(errno));
		if (fails > 10)
			break;
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	if (handler_bad)
		FAIL("%d hooked calls in the signal handler failed", (int)handler_bad);
	if (handled < 10)
		FAIL("the handler ran only %d times", (int)handled);
	if (fails)
		return 1;
	printf("ok main-iterations=%d handler-runs=%d\n", iters, (int)handled);
	return 0;
}

/* ---- cancellation --------------------------------------------------------- */

static const char *fifo;

static void *open_fifo(void *arg)
{
	int fd;

	(void)arg;
	fd = open(fifo, O_RDONLY); /* blocks: nobody writes */
	if (fd >= 0)
		close(fd);
	return (void *)1;
}

static void cleanup_close(void *arg)
{
	int *fd = arg;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void cleanup_closedir(void *arg)
{
	DIR **d = arg;
	if (*d)
		closedir(*d);
	*d = NULL;
}

struct held {
	int fd;
	DIR *d;
};

/* One pass of hooked calls; cleanup handlers close what it holds. */
static void one_pass(struct held *h, long id, long i)
{
	char p[PATH_MAX], buf[256];

	h->fd = -1;
	h->d = NULL;
	pthread_cleanup_push(cleanup_close, &h->fd);
	pthread_cleanup_push(cleanup_closedir, &h->d);
	switch (i % 4) {
	case 0: /* a merged listing: two descriptors inside the hook */
		h->d = opendir(dir);
		if (h->d)
			while (readdir(h->d))
				;
		break;
	case 1: /* a copy-up: lower and temporary descriptors inside */
		pathf(p, "lower.%03ld", (id * 7 + i) % 100);
		h->fd = open(p, O_WRONLY | O_APPEND);
		if (h->fd >= 0)
			(void)!write(h->fd, "x", 1);
		break;
	case 2:
		pathf(p, ".live");
		h->fd = open(p, O_RDONLY);
		if (h->fd >= 0)
			(void)!read(h->fd, buf, sizeof(buf));
		break;
	case 3:
		pathf(p, "cancel.%ld", id % 8);
		h->fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		break;
	}
	/* close() in a handler run by pop is a cancellation point of its own,
	 * with the handler already gone: keep the program's own closes out of
	 * reach, so only the hooks are left to leak. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_cleanup_pop(1);
	pthread_cleanup_pop(1);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
}

static void *loop_hooks(void *arg)
{
	struct held h;
	long i;

	for (i = 0;; i++)
		one_pass(&h, (long)arg, i);
	return NULL;
}

/* Mark which descriptors are open now in @open_now (4096 entries). */
static void snapshot_fds(char *open_now)
{
	int fd;

	for (fd = 0; fd < 4096; fd++)
		open_now[fd] = fcntl(fd, F_GETFD) >= 0;
}

/*
 * Count descriptors open now that were not in @before and that only a hook
 * can have opened: close-on-exec ones (loop_hooks never asks for
 * O_CLOEXEC, and glibc's opendir and closedir are not cancellation points)
 * or ones inside the session's work/ folder. A descriptor of the program's
 * own open() can leak on its own on this glibc (cancellation acts between
 * the system call and its return: glibc bug 12683), so those are not counted.
 */
static int hook_leaks(const char *before, int report)
{
	char link[64], target[PATH_MAX];
	int fd, n = 0;

	for (fd = 0; fd < 4096; fd++) {
		int fl = fcntl(fd, F_GETFD);
		ssize_t len;

		if (fl < 0 || before[fd])
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		len = readlink(link, target, sizeof(target) - 1);
		target[len < 0 ? 0 : len] = '\0';
		if ((fl & FD_CLOEXEC) || strstr(target, "/work/cu.")) {
			if (n++ < 5 && report)
				fprintf(stderr, "# leaked by a hook: fd %d -> %s%s\n", fd, target,
					(fl & FD_CLOEXEC) ? " (close-on-exec)" : "");
		}
	}
	return n;
}

/* Count the files left in the session's work/ folder (copy-ups in flight). */
static int work_leftovers(void)
{
	const char *s = getenv("RWSHIM_SESSION");
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (!s || !(s = strchr(s, ':')))
		return 0;
	snprintf(path, sizeof(path), "%s/work", s + 1);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int cmd_cancel(int iters)
{
	struct timespec ts;
	pthread_t t;
	void *res;
	char p[PATH_MAX], buf[256];
	static char before_fds[4096];
	int i, leaked, left, cancelled = 0;

	if (make_live() < 0)
		return 1;
	/* 1. A thread blocked in a hooked open() is cancelled there. */
	if (pthread_create(&t, NULL, open_fifo, NULL)) {
		FAIL("pthread_create");
		return 1;
	}
	usleep(200000);
	pthread_cancel(t);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	if (pthread_timedjoin_np(t, &res, &ts) != 0) {
		FAIL("a thread blocked in open() of a FIFO was not cancelled within 10 s");
		return 1;
	}
	if (res != PTHREAD_CANCELED)
		FAIL("open() of the FIFO returned instead of being cancelled");

	/* 2. Threads cancelled at random points inside hooks leave nothing. */
	snapshot_fds(before_fds);
	srand(12345);
	for (i = 0; i < iters; i++) {
		if (pthread_create(&t, NULL, loop_hooks, (void *)(long)i)) {
			FAIL("pthread_create");
			break;
		}
		usleep((useconds_t)(rand() % 3000));
		pthread_cancel(t);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 10;
		if (pthread_timedjoin_np(t, &res, &ts) != 0) {
			FAIL("cancellation %d: the thread did not end within 10 s", i);
			break;
		}
		cancelled += res == PTHREAD_CANCELED;
	}
	leaked = hook_leaks(before_fds, 1);
	if (leaked)
		FAIL("%d cancellations inside hooks left %d descriptors that only the hooks "
		     "open (close-on-exec or in the storage's work/ folder)",
		     iters, leaked);
	left = work_leftovers();
	if (left)
		FAIL("%d cancellations inside hooks left %d half-made copies in the storage's "
		     "work/ folder",
		     iters, left);

	/* 3. Hooks still work, from this thread and a new one. */
	pathf(p, "after-cancel");
	if (write_file(p, "after\n", O_TRUNC) < 0 || read_file(p, buf, sizeof(buf)) != 6)
		FAIL("a write and read-back after the cancellations failed");
	if (count_entries(dir) < 3)
		FAIL("a listing after the cancellations failed");
	if (pthread_create(&t, NULL, open_fifo, NULL) == 0) {
		int wfd;
		usleep(100000);
		/* Let it through this time: a writer opens the FIFO. */
		/* The raw system call: only the reader's hook is under test. */
		wfd = (int)syscall(SYS_openat, AT_FDCWD, fifo, O_WRONLY | O_NONBLOCK);
		if (wfd >= 0)
			close(wfd);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 10;
		if (pthread_timedjoin_np(t, &res, &ts) != 0 || res != (void *)1)
			FAIL("open() of the FIFO after the cancellations did not complete");
	}
	if (fails)
		return 1;
	printf("ok fifo-open cancelled; %d of %d threads cancelled inside hooks; no descriptor "
	       "or copy left\n",
	       cancelled, iters);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "fork")) {
		dir = argv[2];
		return cmd_fork(argc > 3 ? atoi(argv[3]) : 200);
	}
	if (argc >= 3 && !strcmp(argv[1], "vfork")) {
		dir = argv[2];
		return cmd_vfork();
	}
	if (argc >= 3 && !strcmp(argv[1], "spawn")) {
		dir = argv[2];
		return cmd_spawn();
	}
	if (argc >= 3 && !strcmp(argv[1], "signal")) {
		dir = argv[2];
		return cmd_signal(argc > 3 ? atoi(argv[3]) : 2000);
	}
	if (argc >= 4 && !strcmp(argv[1], "cancel")) {
		fifo = argv[2];
		dir = argv[3];
		return cmd_cancel(argc > 4 ? atoi(argv[4]) : 300);
	}
	fprintf(stderr, "usage: rw_threads fork DIR [ITER] | vfork DIR | spawn DIR | signal DIR [ITER]"
			" | cancel FIFO DIR [ITER]\n");
	return 2;
}
