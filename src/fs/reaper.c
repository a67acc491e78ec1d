/* SPDX-License-Identifier: MIT */
/*
 * fs/reaper.c - the end of a tree's storage (see reaper.h, and session.h
 * for why the lifetime holds). Runs in the reaper, a process of its own
 * that may allocate, and in rw_session_end() at a process's exit.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/helper.h"
#include "fs/msg.h"
#include "fs/real.h"
#include "fs/reaper.h"
#include "fs/report.h"
#include "fs/rmtree.h"
#include "fs/session.h"
#include "rwshim.h"

#define SESSION_PREFIX RW_SESSION_PREFIX
#define SECRET_PREFIX RW_SECRET_PREFIX
#define INDEX_NAME RW_INDEX_NAME

static char *args_start;
static size_t args_len;

void rw_session_note_args(int argc, char **argv)
{
	char *end;
	int i;

	if (argc < 1 || !argv || !argv[0])
		return;
	/* The kernel shows the one block the arguments were laid out in. */
	end = argv[0];
	for (i = 0; i < argc && argv[i] == end; i++)
		end += strlen(argv[i]) + 1;
	args_start = argv[0];
	args_len = (size_t)(end - argv[0]);
}

/* Where the kernel says this process's arguments lie: fields 48 and 49 of
 * /proc/self/stat. Known even when the session began in a hook that ran
 * before our constructor (another library's constructor, setpriv's
 * libcap-ng), when rw_session_note_args() had not been called yet. */
static void args_from_proc(void)
{
	char buf[1024], *p;
	unsigned long start = 0, end = 0;
	int fd = real_openat(AT_FDCWD, "/proc/self/stat", O_RDONLY | O_CLOEXEC), field;
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	real_close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: count from the last ')'. */
	p = strrchr(buf, ')');
	for (field = 2; p && *p && field < 49;) {
		if (*p++ != ' ')
			continue;
		field++;
		if (field == 48)
			start = strtoul(p, NULL, 10);
		else if (field == 49)
			end = strtoul(p, NULL, 10);
	}
	if (start && end > start + 1) {
		args_start = (char *)start;
		args_len = end - start;
	}
}

static void retitle(void)
{
	static const char title[] = "rwshim: reaper";

	prctl(PR_SET_NAME, "rwshim-reaper", 0, 0, 0);
	args_from_proc();
	if (!args_start || args_len < 2)
		return;
	memset(args_start, 0, args_len);
	memcpy(args_start, title, args_len - 1 < sizeof(title) - 1 ? args_len - 1 : sizeof(title) - 1);
}

/* ---- the reaper ---------------------------------------------------------- */

/* Whether session folder @top (under @tmpfd) holds a session nobody holds:
 * one with an index (made after its creator took the lock; a kept overlay
 * has none) whose lock is free. */
static int stale(int tmpfd, const char *top)
{
	char buf[1024];
	int fd = real_openat(tmpfd, top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int found = 0;
	long n, off;

	if (fd < 0)
		return 0;
	while (!found && (n = real_getdents64(fd, buf, sizeof(buf))) > 0)
		for (off = 0; !found && off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			struct stat st;
			int sfd;

			off += d->d_reclen;
			if (strncmp(d->d_name, SECRET_PREFIX, sizeof(SECRET_PREFIX) - 1))
				continue;
			sfd = real_openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sfd < 0)
				continue;
			found = real_fstatat(sfd, INDEX_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				S_ISREG(st.st_mode) && flock(sfd, LOCK_EX | LOCK_NB) == 0;
			real_close(sfd);
		}
	real_close(fd);
	return found;
}

/* Remove sessions under @tmpfd that no process holds any more. */
static void sweep_stale(int tmpfd, const char *self)
{
	char buf[4096];
	long n, off;

	while ((n = real_getdents64(tmpfd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			struct stat st;

			off += d->d_reclen;
			if (strncmp(d->d_name, SESSION_PREFIX, sizeof(SESSION_PREFIX) - 1) ||
			    !strcmp(d->d_name, self))
				continue;
			if (real_fstatat(tmpfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
				continue;
			if (stale(tmpfd, d->d_name))
				rw_rmtree(tmpfd, d->d_name, &(struct rw_fid){ st.st_dev, st.st_ino },
					  RW_RMTREE_MAY_ALLOC);
		}
	}
}

static void keep_overlay(int tmpfd, int dirfd, const char *name)
{
	real_unlinkat(dirfd, INDEX_NAME, 0);
	if (rw_rmtree(dirfd, "work", NULL, RW_RMTREE_MAY_ALLOC) < 0)
		return;
	if (rw_cfg.keep_dir[0] &&
	    real_renameat(dirfd, "upper", AT_FDCWD, rw_cfg.keep_dir) == 0) {
		rw_rmtree(tmpfd, name, &rw_sess.top_id, RW_RMTREE_MAY_ALLOC);
		rw_say("overlay kept at ", rw_cfg.keep_dir, (char *)NULL);
		return;
	}
	if (rw_cfg.keep_dir[0])
		rw_say("could not move the overlay to ", rw_cfg.keep_dir, ": ", rw_strerror(errno),
		       (char *)NULL);
	rw_say("overlay kept at ", rw_sess.upper, (char *)NULL);
}

/* The reaper: detached from the tree, waits for it to end, removes its
 * storage. Its @twin does the same on its own open file description, so
 * that the storage still goes when one of the two is killed; only the
 * reaper serves as the helper, on listening socket @lsock (or none: -1),
 * and sweeps at start. */
static void reaper_main(int twin, int lsock)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2,
				       SIGTSTP, SIGTTIN, SIGTTOU };
	const char *name;
	char top[PATH_MAX];
	int fd, tmpfd, null, keep_stderr, helper, alive;
	struct stat st;
	size_t i;

	if (lsock >= 0 && (twin || lsock < 5)) {
		/* Out of the way of the descriptors set below; the twin has no use for it. */
		int high = twin ? -1 : fcntl(lsock, F_DUPFD_CLOEXEC, 5);
		real_close(lsock);
		lsock = high;
	}
	setsid();
	retitle();
	for (i = 0; i < RW_ARRAY_LEN(ignored); i++)
		signal(ignored[i], SIG_IGN);

	/* Our own open file description: the inherited one carries the tree's lock. */
	fd = real_openat(AT_FDCWD, rw_sess.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	tmpfd = rw_open_parent(rw_sess.path, rw_sess.top_len, top, &name);
	if (fd < 0 || tmpfd < 0)
		_exit(1);
	/* A pipe or socket stays open as long as we live, and whoever reads
	 * it waits for us; a terminal or a file does not, and then a removal
	 * that has to stop can say why. */
	keep_stderr = rw_cfg.keep || rw_cfg.report || rw_cfg.audit ||
		      (fstat(2, &st) == 0 && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode));
	null = real_openat(AT_FDCWD, "/dev/null", O_RDWR);
	if (null >= 0) {
		real_dup2(null, 0);
		real_dup2(null, 1);
		if (!keep_stderr)
			real_dup2(null, 2);
	}
	fd = real_dup2(fd, 3) == 3 ? 3 : fd;
	tmpfd = real_dup2(tmpfd, 4) == 4 ? 4 : tmpfd;
	if (fd == 3 && tmpfd == 4) {
		/* Kept: the helper's socket at 5, the report's folder at 6. */
		int report = rw_report_folder();
		if (lsock >= 0 && lsock != 5)
			lsock = real_dup2(lsock, 5) == 5 ? 5 : -1;
		if (report >= 0 && report != 6)
			report = real_dup2(report, 6) == 6 ? 6 : -1;
		rw_report_use_folder(report);
		if (lsock != 5)
			real_close(5);
		if (report != 6)
			real_close(6);
		syscall(__NR_close_range, 7u, ~0u, 0);
	}
	if (real_chdir("/") < 0)
		_exit(1);

	helper = -1;
	if (!twin) {
		rw_sess.ix->reaper_pid = (uint32_t)getpid();
		helper = lsock >= 0 ? rw_helper_start(lsock, fd) : -1;
		sweep_stale(tmpfd, name);
	}
	/* Held by both for life: a process leaving the tree that can lock the
	 * index exclusively knows no remover is left. */
	alive = real_openat(fd, INDEX_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (alive < 0 || flock(alive, LOCK_SH | LOCK_NB) < 0)
		_exit(1);

	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			_exit(1);
	if (helper > 0) {
		kill(helper, SIGKILL);
		waitpid(helper, NULL, 0);
	}
	/* No index: the twin came first and did it all. */
	if (real_fstatat(fd, INDEX_NAME, &(struct stat){ 0 }, AT_SYMLINK_NOFOLLOW) < 0)
		_exit(0);
	/* Sweep again: a crashed tree still dying when we started is gone now. */
	lseek(tmpfd, 0, SEEK_SET);
	sweep_stale(tmpfd, name);
	if (rw_cfg.audit)
		rw_report_audit(fd);
	if (rw_cfg.report)
		rw_report_changes(fd);
	if (rw_cfg.keep && real_fstatat(fd, "upper", &(struct stat){ 0 }, AT_SYMLINK_NOFOLLOW) == 0) {
		keep_overlay(tmpfd, fd, name);
	} else {
		/* The index first: a twin that comes after us, or a later sweep,
		 * then leaves alone what a removal that had to stop left. */
		real_unlinkat(fd, INDEX_NAME, 0);
		rw_rmtree(tmpfd, name, &rw_sess.top_id, RW_RMTREE_MAY_ALLOC);
	}
	_exit(0);
}

int rw_reaper_spawn(void)
{
	/* A root tree's helper listens before the tree goes on: a process that
	 * becomes another user at once must find it (connect queues until the
	 * reaper accepts). */
	int lsock = geteuid() == 0 ? rw_helper_listen(rw_sess.fd) : -1, status, fork_errno;
	int report = rw_report_open_folder();
	pid_t pid = fork(), got;

	if (pid == 0) {
		/* The middle process exits at once, so the reaper and its twin are
		 * nobody's children in the program and no wait() there sees them. */
		pid = fork();
		if (pid == 0)
			reaper_main(0, lsock);
		if (pid > 0 && (pid = fork()) == 0)
			reaper_main(1, lsock);
		_exit(pid < 0);
	}
	fork_errno = errno;
	/* The reaper has its own copies; the tree keeps none. */
	if (lsock >= 0)
		real_close(lsock);
	if (report >= 0)
		real_close(report);
	rw_report_use_folder(-1);
	if (pid < 0)
		return -fork_errno;
	do
		got = waitpid(pid, &status, 0);
	while (got < 0 && errno == EINTR);
	if (got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return -EAGAIN;
}


void rw_session_end(void)
{
	int fd, alive;

	if (!rw_sess.ix)
		return;
	/* The reaper and its twin hold the index locked while they live; dead
	 * ones, even zombies nobody reaps, hold nothing. */
	fd = real_openat(rw_sess.fd, INDEX_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	alive = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	real_close(fd);
	if (alive)
		return;
	/* The reaper was killed: whoever leaves last removes the storage. Our
	 * own lock goes first, so an exclusive lock means nobody else holds it.
	 * Nothing in memory changes: a vfork child calling _exit shares it with
	 * its parent, which goes on. */
	fd = real_openat(AT_FDCWD, rw_sess.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	real_close(rw_sess.fd);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		rw_rmtree_path(rw_sess.path, rw_sess.top_len, &rw_sess.top_id, 0);
	real_close(fd);
}
