/* SPDX-License-Identifier: MIT */
/*
 * fs/session.c - making, joining and removing a tree's storage (see
 * session.h for the layout and why the lifetime holds).
 * Runs at start (constructor) and in the reaper; the only call made from a
 * hook is rw_session_storage(), at the tree's first redirect.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/path.h"
#include "fs/helper.h"
#include "fs/msg.h"
#include "fs/report.h"
#include "fs/real.h"
#include "fs/session.h"
#include "fs/store.h"
#include "rwshim.h"

struct rw_session rw_sess = { .fd = -1 };
struct rw_config rw_cfg;

#define SESSION_PREFIX "rwshim."
#define SECRET_PREFIX "s."
#define INDEX_NAME "index"

/* Descriptors the program is unlikely to choose; below a low limit, less. */
static int high_fd_floor(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1040)
		return rl.rlim_cur > 64 ? (int)rl.rlim_cur - 24 : 3;
	return 1000;
}

static int move_high(int fd, int cloexec)
{
	int hi = fcntl(fd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, high_fd_floor());

	if (hi < 0)
		return fd;
	real_close(fd);
	return hi;
}

/* The folder the storage was to be made in, for the message if it fails. */
static char storage_dir[PATH_MAX];

/* Whether @dir is a folder this process may make the storage in. */
static int usable_folder(const char *dir)
{
	struct stat st;

	if (real_fstatat(AT_FDCWD, dir, &st, 0) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return real_access(dir, W_OK | X_OK) < 0 ? -errno : 0;
}

/* The temporary folder: RWSHIM_TMPDIR, else $TMPDIR, else /tmp, else /dev/shm. */
static int pick_tmpdir(char *out, size_t outsz)
{
	const char *cands[3];
	int n = 0, i, r = -ENOENT;
	const char *t = getenv("TMPDIR");

	if (rw_cfg.tmpdir[0]) {
		cands[n++] = rw_cfg.tmpdir;
	} else {
		if (t && t[0] == '/')
			cands[n++] = t;
		cands[n++] = "/tmp";
		/* A read-only root often leaves /dev/shm as its one writable tmpfs. */
		cands[n++] = "/dev/shm";
	}
	for (i = 0; i < n; i++) {
		if (rw_path_join(NULL, cands[i], out, outsz, NULL) < 0)
			continue;
		if (i == 0)
			snprintf(storage_dir, sizeof(storage_dir), "%s", out);
		r = usable_folder(out);
		if (r == 0)
			return 0;
	}
	return r;
}

/* Map the session's index. Its owner (root, in a root tree) maps it to
 * write; another user the tree became may only read it (it is 0644), so
 * that no process of that user can clear the marks root's processes trust
 * or truncate the file under them (a SIGBUS at the next look). Its size is
 * checked before it is mapped. */
static int map_index(int dirfd, int create)
{
	struct rw_index *ix;
	struct stat st;
	int fd, ro = 0;

	if (create) {
		fd = real_openat(dirfd, INDEX_NAME, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		/* Every user the tree becomes reads it. */
		if (fd >= 0 && geteuid() == 0)
			real_fchmod(fd, 0644);
	} else {
		fd = real_openat(dirfd, INDEX_NAME, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == EACCES) {
			ro = 1;
			fd = real_openat(dirfd, INDEX_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		}
	}
	if (fd < 0)
		return -errno;
	/* Allocate the pages now: a page first touched through the mapping on a
	 * full tmpfs would kill the program with SIGBUS. */
	if (create && (errno = posix_fallocate(fd, 0, sizeof(struct rw_index))) != 0) {
		int e = errno;
		real_close(fd);
		return -e;
	}
	/* Only a whole index of the session's owner, which nobody else may
	 * write: never a SIGBUS, never marks another user set. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < (off_t)sizeof(struct rw_index) || (st.st_mode & 022) ||
	    (st.st_uid != geteuid() && st.st_uid != 0)) {
		real_close(fd);
		return -EINVAL;
	}
	ix = mmap(NULL, sizeof(struct rw_index), ro ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED,
		  fd, 0);
	real_close(fd);
	if (ix == MAP_FAILED)
		return -ENOMEM;
	if (create) {
		ix->version = RW_INDEX_VERSION;
		__atomic_store_n(&ix->magic, RW_INDEX_MAGIC, __ATOMIC_RELEASE);
	} else if (ix->magic != RW_INDEX_MAGIC || ix->version != RW_INDEX_VERSION) {
		munmap(ix, sizeof(struct rw_index));
		return -EINVAL;
	}
	rw_sess.ix_ro = ro;
	rw_sess.ix = ix;
	return 0;
}

static void set_paths(const char *path)
{
	size_t n = strlen(path);
	const char *name;

	rw_sess.top_len = rw_path_split(path, n, &name);
	memcpy(rw_sess.path, path, n + 1);
	rw_sess.len = n;
	memcpy(rw_sess.upper, path, n);
	memcpy(rw_sess.upper + n, "/upper", 7);
	rw_sess.upper_len = n + 6;
}

static void export_session(void)
{
	char val[PATH_MAX + 16];
	int n = snprintf(val, sizeof(val), "%d:%s", rw_sess.fd, rw_sess.path);

	if (n > 0 && (size_t)n < sizeof(val))
		setenv(RWSHIM_ENV_SESSION, val, 1);
}

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

static void retitle(void)
{
	static const char title[] = "rwshim: reaper";

	prctl(PR_SET_NAME, "rwshim-reaper", 0, 0, 0);
	if (!args_start || args_len < 2)
		return;
	memset(args_start, 0, args_len);
	memcpy(args_start, title, args_len - 1 < sizeof(title) - 1 ? args_len - 1 : sizeof(title) - 1);
}

/* ---- removal ------------------------------------------------------------ */

/* Remove @name under @parent and everything below it; never follows a link
 * and never leaves @parent. */
static void remove_tree(int parent, const char *name)
{
	char buf[2048];
	int fd, again = 1;

	fd = real_openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		real_unlinkat(parent, name, 0);
		return;
	}
	/* A folder copied from a read-only one may be 0555: open it up first. */
	real_fchmod(fd, 0700);
	while (again) {
		long n, off;

		again = 0;
		lseek(fd, 0, SEEK_SET);
		while ((n = real_getdents64(fd, buf, sizeof(buf))) > 0) {
			for (off = 0; off < n;) {
				struct dirent64 *d = (struct dirent64 *)(buf + off);
				off += d->d_reclen;
				if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
					continue;
				if (d->d_type == DT_DIR ||
				    (real_unlinkat(fd, d->d_name, 0) < 0 && errno == EISDIR))
					remove_tree(fd, d->d_name);
				again = 1;
			}
		}
	}
	real_close(fd);
	real_unlinkat(parent, name, AT_REMOVEDIR);
}

/* Open the folder that holds session folder @top (@len bytes); *@name is
 * @top's last name, in @copy. Returns the descriptor or -1. */
static int open_parent(const char *top, size_t len, char *copy, const char **name)
{
	char parent[PATH_MAX];
	size_t plen;

	memcpy(copy, top, len);
	copy[len] = '\0';
	plen = rw_path_split(copy, len, name);
	memcpy(parent, copy, plen);
	parent[plen] = '\0';
	return real_openat(AT_FDCWD, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Remove session folder @top (@len bytes) and all it holds. */
static void remove_top(const char *top, size_t len)
{
	char copy[PATH_MAX];
	const char *name;
	int pfd = open_parent(top, len, copy, &name);

	if (pfd >= 0) {
		remove_tree(pfd, name);
		real_close(pfd);
	}
}

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
				remove_tree(tmpfd, d->d_name);
		}
	}
}

static void keep_overlay(int tmpfd, int dirfd, const char *name)
{
	real_unlinkat(dirfd, INDEX_NAME, 0);
	remove_tree(dirfd, "work");
	if (rw_cfg.keep_dir[0] &&
	    real_renameat(dirfd, "upper", AT_FDCWD, rw_cfg.keep_dir) == 0) {
		remove_tree(tmpfd, name);
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
	tmpfd = open_parent(rw_sess.path, rw_sess.top_len, top, &name);
	if (fd < 0 || tmpfd < 0)
		_exit(1);
	keep_stderr = rw_cfg.keep || rw_cfg.report || rw_cfg.audit;
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
		if (lsock >= 0 && lsock != 5)
			lsock = real_dup2(lsock, 5) == 5 ? 5 : lsock;
		syscall(__NR_close_range, lsock == 5 ? 6u : 5u, ~0u, 0);
		if (lsock > 5)
			lsock = -1; /* closed just now */
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
	if (rw_cfg.keep && real_fstatat(fd, "upper", &(struct stat){ 0 }, AT_SYMLINK_NOFOLLOW) == 0)
		keep_overlay(tmpfd, fd, name);
	else
		remove_tree(tmpfd, name);
	_exit(0);
}

static int spawn_reaper(void)
{
	/* A root tree's helper listens before the tree goes on: a process that
	 * becomes another user at once must find it (connect queues until the
	 * reaper accepts). */
	int lsock = geteuid() == 0 ? rw_helper_listen(rw_sess.fd) : -1, status, fork_errno;
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
	/* The reaper has its own copy; the tree keeps none. */
	if (lsock >= 0)
		real_close(lsock);
	if (pid < 0)
		return -fork_errno;
	do
		got = waitpid(pid, &status, 0);
	while (got < 0 && errno == EINTR);
	if (got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return -EAGAIN;
}

/* ---- making and joining -------------------------------------------------- */

/* Append "/s." and random letters to @path (@n bytes). */
static int secret_name(char *path, size_t n, size_t size)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[20];
	size_t i;

	if (n + 3 + sizeof(rnd) + 1 > size)
		return -ENAMETOOLONG;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EAGAIN;
	memcpy(path + n, "/" SECRET_PREFIX, 3);
	for (i = 0; i < sizeof(rnd); i++)
		path[n + 3 + i] = letters[rnd[i] % (sizeof(letters) - 1)];
	path[n + 3 + sizeof(rnd)] = '\0';
	return 0;
}

static int create_session(void)
{
	char path[PATH_MAX];
	int fd = -1, r;
	size_t n;

	r = pick_tmpdir(path, sizeof(path));
	if (r < 0)
		return r;
	n = strlen(path);
	snprintf(storage_dir, sizeof(storage_dir), "%s", path);
	if (n + sizeof("/" SESSION_PREFIX "XXXXXX") > sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path + n, "/" SESSION_PREFIX "XXXXXX", sizeof("/" SESSION_PREFIX "XXXXXX"));
	if (!real_mkdtemp(path))
		return -errno;
	n = strlen(path);
	/* A root tree may become other users: they may pass through the folder
	 * (knowing the secret name below), not list it. */
	if (geteuid() == 0 && real_fchmodat(AT_FDCWD, path, 0711, AT_SYMLINK_NOFOLLOW) < 0 &&
	    real_fchmodat(AT_FDCWD, path, 0711, 0) < 0) {
		r = -errno;
		goto fail;
	}
	if ((r = secret_name(path, n, sizeof(path))) < 0)
		goto fail;
	if (real_mkdirat(AT_FDCWD, path, 0700) < 0 ||
	    (geteuid() == 0 && real_fchmodat(AT_FDCWD, path, 0711, 0) < 0)) {
		r = -errno;
		goto fail;
	}
	fd = real_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			 (rw_cfg.scope == RW_SCOPE_PROCESS ? O_CLOEXEC : 0));
	if (fd < 0 || flock(fd, LOCK_SH) < 0) {
		r = -errno;
		goto fail;
	}
	rw_sess.fd = move_high(fd, rw_cfg.scope == RW_SCOPE_PROCESS);
	fd = -1;
	rw_sess.owner = geteuid();
	set_paths(path);
	r = map_index(rw_sess.fd, 1);
	if (r < 0)
		goto fail;
	r = spawn_reaper();
	if (r < 0)
		goto fail;
	if (rw_cfg.scope == RW_SCOPE_TREE)
		export_session();
	return 0;
fail:
	if (rw_sess.ix)
		munmap(rw_sess.ix, sizeof(struct rw_index));
	rw_sess.ix = NULL;
	if (fd >= 0)
		real_close(fd);
	if (rw_sess.fd >= 0)
		real_close(rw_sess.fd);
	rw_sess.fd = -1;
	/* Remove what was made: the mkdtemp folder, never anything else. */
	remove_top(path, n);
	return r;
}

/* A folder of this user's, or root's (for a tree that changed user), that
 * nobody else may write. */
static int trusted(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && (st->st_uid == geteuid() || st->st_uid == 0) &&
	       !(st->st_mode & 022);
}

/* ".../rwshim.XXXXXX/s.RANDOM": the shape rwshim makes. */
static int secret_named(const char *path)
{
	const char *name, *top;
	size_t plen = rw_path_split(path, strlen(path), &name);
	const char *p;

	if (strncmp(name, SECRET_PREFIX, sizeof(SECRET_PREFIX) - 1) || plen < 2)
		return 0;
	for (p = path + plen - 1; p > path && *p != '/'; p--)
		;
	top = p + 1;
	return !strncmp(top, SESSION_PREFIX, sizeof(SESSION_PREFIX) - 1);
}

static int trusted_top(const char *path)
{
	char top[PATH_MAX];
	const char *name;
	size_t plen = rw_path_split(path, strlen(path), &name);
	struct stat st;

	memcpy(top, path, plen);
	top[plen] = '\0';
	return real_fstatat(AT_FDCWD, top, &st, AT_SYMLINK_NOFOLLOW) == 0 && trusted(&st);
}

/* Join "FD:PATH" from the environment. Returns 0, or -errno to make a new one. */
static int join_session(const char *val)
{
	char *end;
	long fdnum = strtol(val, &end, 10);
	struct stat dst, fst;
	const char *path;
	int fd;

	if (end == val || *end != ':' || end[1] != '/')
		return -EINVAL;
	path = end + 1;
	if (strlen(path) >= sizeof(rw_sess.path))
		return -ENAMETOOLONG;
	/* O_PATH: a process that became another user may pass through the
	 * session folder but not read it. */
	fd = real_openat(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Only a folder of our own (or root's, for a tree that changed user) that
	 * has an index rwshim made: never adopt, and so never remove, another. */
	if (fstat(fd, &dst) < 0 || !trusted(&dst) || !secret_named(path) ||
	    real_fstatat(AT_FDCWD, path, &fst, AT_SYMLINK_NOFOLLOW) < 0 || fst.st_ino != dst.st_ino ||
	    !trusted_top(path)) {
		real_close(fd);
		return -EPERM;
	}
	if (fdnum >= 0 && fdnum < 1 << 20 && fstat((int)fdnum, &fst) == 0 &&
	    fst.st_dev == dst.st_dev && fst.st_ino == dst.st_ino) {
		/* Inherited: it already carries the tree's lock. */
		real_close(fd);
		rw_sess.fd = (int)fdnum;
	} else {
		/* Lost on the way (a program closed it before exec): take the lock
		 * anew; a session whose reaper already holds it is ending. */
		int lfd = real_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		real_close(fd);
		fd = lfd;
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
			real_close(fd);
			return -ESTALE;
		}
		fd = move_high(fd, 0);
		fcntl(fd, F_SETFD, 0);
		rw_sess.fd = fd;
	}
	rw_sess.owner = dst.st_uid;
	set_paths(path);
	if (map_index(rw_sess.fd, 0) < 0) {
		if (rw_sess.fd != (int)fdnum)
			real_close(rw_sess.fd);
		rw_sess.fd = -1;
		return -EINVAL;
	}
	if (rw_sess.fd != (int)fdnum)
		export_session();
	return 0;
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
		remove_top(rw_sess.path, rw_sess.top_len);
	real_close(fd);
}

/* Why the tree has no storage, said at its first refused write. */
static int no_storage_reason;

int rw_session_start(void)
{
	const char *val = getenv(RWSHIM_ENV_SESSION);
	int r;

	if (rw_cfg.scope == RW_SCOPE_TREE && val && !strncmp(val, "none:", 5)) {
		/* The tree's first process could not make the storage: neither
		 * can we, and retrying in every process only repeats it. */
		no_storage_reason = atoi(val + 5);
		return -no_storage_reason;
	}
	if (rw_cfg.scope == RW_SCOPE_TREE && val && *val) {
		r = join_session(val);
		if (r == 0)
			return 0;
		if (r != -ESTALE)
			rw_say_once(RW_WARN_SESSION, RWSHIM_ENV_SESSION,
				    ": not a session folder of this user made by rwshim; starting a new session",
				    (char *)NULL);
	}
	r = create_session();
	if (r < 0) {
		char mark[24];
		no_storage_reason = -r;
		rw_say("cannot make the storage folder in ", storage_dir,
		       rw_cfg.tmpdir[0] ? " (RWSHIM_TMPDIR): " : " (nor in /tmp or /dev/shm): ",
		       rw_strerror(-r), "; writes to read-only places fail as before", (char *)NULL);
		snprintf(mark, sizeof(mark), "none:%d", -r);
		if (rw_cfg.scope == RW_SCOPE_TREE)
			setenv(RWSHIM_ENV_SESSION, mark, 1);
	}
	return r;
}

int rw_session_new_dir(char *tmp, const struct stat *like)
{
	int r;

	rw_session_tmp_name(tmp);
	if ((r = rw_store_mkdir(tmp, 0700)) < 0)
		return r;
	/* Root moves a folder whatever its mode, so it finishes it first: a
	 * process of another user never meets it root's and 0700. Another user
	 * can move only a folder it may write: rw_session_dir_placed() sets the
	 * mode then (the folder is that user's own either way). */
	if (geteuid() == 0) {
		rw_store_chown(tmp, like->st_uid, like->st_gid);
		rw_store_chmod(tmp, like->st_mode & 07777);
	}
	return 0;
}

int rw_session_dir_placed(const char *rel, const struct stat *like)
{
	if (geteuid() == 0)
		return 0;
	return rw_store_chmod(rel, like->st_mode & 07777);
}

/* Make upper/ with exactly the root's mode and owner, whatever the umask,
 * finished before it is renamed in: in a root tree, a process of another
 * user that finds it must be able to pass through it. */
static int make_upper(const struct stat *root)
{
	char tmp[RW_TMP_NAME_MAX];
	int r = rw_session_new_dir(tmp, root);

	if (r < 0)
		return r;
	if ((r = rw_store_rename(tmp, "upper", RENAME_NOREPLACE)) < 0) {
		rw_store_unlink(tmp, AT_REMOVEDIR);
		return r == -EEXIST ? 0 : r;
	}
	return rw_session_dir_placed("upper", root);
}

int rw_session_storage(void)
{
	RW_BUSY_SCOPE();
	struct stat root;
	int r;

	if (__atomic_load_n(&rw_sess.storage, __ATOMIC_ACQUIRE))
		return 0;
	/* No storage: the tree's first process said why. */
	if (!rw_sess.ix)
		return no_storage_reason == ENOSPC ? -ENOSPC : -EROFS;
	if (rw_helper_needed()) {
		r = rw_helper_call(RW_HELP_STORAGE, "/", 1);
		if (r == 0)
			__atomic_store_n(&rw_sess.storage, 1, __ATOMIC_RELEASE);
		return r;
	}
	if (real_fstatat(AT_FDCWD, "/", &root, 0) < 0)
		root.st_mode = 0755;
	/* Another process of the tree may have made them: EEXIST is fine. */
	r = rw_store_mkdir("work", 0700);
	if (r == 0)
		r = rw_store_chmod("work", 01777);
	if ((r < 0 && r != -EEXIST) ||
	    (rw_store_stat("upper", &(struct stat){ 0 }) < 0 && (r = make_upper(&root)) < 0)) {
		errno = -r;
		goto fail;
	}
	rw_index_mark(rw_sess.ix, "/", 1, RW_MARK_ENTRY);
	__atomic_store_n(&rw_sess.storage, 1, __ATOMIC_RELEASE);
	return 0;
fail:
	r = errno;
	rw_say_once(RW_WARN_STORAGE, "cannot use the storage folder ", rw_sess.path, " (",
		    rw_strerror(r), "); writes to read-only places will fail as before", (char *)NULL);
	return r == ENOSPC ? -ENOSPC : -EROFS;
}

static unsigned int tmp_counter;

/* A number no other process can guess: work/ is writable by every user of
 * a root tree, and a name made there in advance would make our copy fail. */
static unsigned long tmp_salt(void)
{
	static unsigned long salt;
	static pid_t salt_pid;
	unsigned long v;
	pid_t pid = getpid();

	if (__atomic_load_n(&salt_pid, __ATOMIC_ACQUIRE) == pid)
		return __atomic_load_n(&salt, __ATOMIC_RELAXED);
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (unsigned long)&v ^ ((unsigned long)pid << 32) ^ (unsigned long)time(NULL);
	__atomic_store_n(&salt, v, __ATOMIC_RELAXED);
	__atomic_store_n(&salt_pid, pid, __ATOMIC_RELEASE);
	return v;
}

void rw_session_tmp_name(char *out)
{
	char digits[24];
	unsigned long v;
	int n, i;
	static const char head[] = "work/cu.";

	memcpy(out, head, sizeof(head) - 1);
	i = sizeof(head) - 1;
	for (int part = 0; part < 3; part++) {
		v = part == 0 ? (unsigned long)getpid()
		    : part == 1 ? tmp_salt() % 1000000000000ul
				: __atomic_add_fetch(&tmp_counter, 1, __ATOMIC_RELAXED);
		n = 0;
		do
			digits[n++] = (char)('0' + v % 10);
		while ((v /= 10));
		while (n)
			out[i++] = digits[--n];
		out[i++] = part < 2 ? '.' : '\0';
	}
}

int rw_session_move_fd(int fd)
{
	int hi;

	if (!rw_session_owns_fd(fd))
		return 0;
	hi = fcntl(fd, F_DUPFD, fd + 1);
	if (hi < 0)
		return -errno;
	/* The environment keeps the old number: children see it is not ours and
	 * reopen the session by its path. */
	rw_sess.fd = hi;
	return 0;
}
