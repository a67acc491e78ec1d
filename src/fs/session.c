/* SPDX-License-Identifier: MIT */
/*
 * fs/session.c - making and joining a tree's storage (see session.h for
 * the layout and why the lifetime holds; its end is in reaper.c).
 * Runs at start (constructor); the only call made from a hook is
 * rw_session_storage(), at the tree's first redirect.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/path.h"
#include "fs/helper.h"
#include "fs/msg.h"
#include "fs/real.h"
#include "fs/reaper.h"
#include "fs/rmtree.h"
#include "fs/session.h"
#include "fs/store.h"
#include "fs/view.h"
#include "rwshim.h"

struct rw_session rw_sess = { .fd = -1 };
struct rw_config rw_cfg;

#define SESSION_PREFIX RW_SESSION_PREFIX
#define SECRET_PREFIX RW_SECRET_PREFIX
#define INDEX_NAME RW_INDEX_NAME

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
	if (rw_tmpdir_unsafe(st.st_uid, st.st_mode, geteuid()))
		return -EPERM;
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
	struct stat st;
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
	/* Its identity, checked before it is removed: whatever stands at its
	 * name then is removed only if it is this very folder. */
	if (real_fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	rw_sess.top_id.dev = st.st_dev;
	rw_sess.top_id.ino = st.st_ino;
	/* A root tree may become other users: they may pass through the folder
	 * (knowing the secret name below), not list it. */
	if (geteuid() == 0 && real_fchmodat(AT_FDCWD, path, 0711, AT_SYMLINK_NOFOLLOW) < 0 &&
	    real_fchmodat(AT_FDCWD, path, 0711, 0) < 0) {
		r = -errno;
		goto fail;
	}
	if ((r = secret_name(path, n, sizeof(path))) < 0)
		goto fail;
	/* In a root tree, 0755: a process that became another user opens it
	 * for reading to take a lock of its own (the name is the secret). */
	if (real_mkdirat(AT_FDCWD, path, 0700) < 0 ||
	    (geteuid() == 0 && real_fchmodat(AT_FDCWD, path, 0755, 0) < 0)) {
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
	r = rw_reaper_spawn();
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
	rw_rmtree_path(path, n, &rw_sess.top_id, 0);
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

/* Whether the folder holding @path is trusted; its identity goes to @id. */
static int trusted_top(const char *path, struct rw_fid *id)
{
	char top[PATH_MAX];
	const char *name;
	size_t plen = rw_path_split(path, strlen(path), &name);
	struct stat st;

	memcpy(top, path, plen);
	top[plen] = '\0';
	if (real_fstatat(AT_FDCWD, top, &st, AT_SYMLINK_NOFOLLOW) < 0 || !trusted(&st))
		return 0;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 1;
}

/*
 * This process's own lock: a new open file description of the session
 * folder, locked shared. Sharing one description with the whole tree would
 * let any process of it (one that became another user, say) drop the lock
 * for all with flock(LOCK_UN), and the reaper would remove the storage
 * under the others. Reopened through /proc/self/fd/@inherited where we hold
 * the folder (that checks only the folder's own mode, not its ancestors'),
 * else by @path, which must still be @id. Returns the descriptor
 * (O_CLOEXEC) or -errno; -ESTALE when the reaper holds the lock already.
 */
static int own_lock(int inherited, const char *path, const struct stat *id)
{
	struct stat st;
	int fd = -1;

	if (inherited >= 0) {
		char proc[32];

		rw_fd_name(inherited, proc);
		/* A magic link: O_NOFOLLOW would refuse it; it is the very folder. */
		fd = real_openat(AT_FDCWD, proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0) {
		fd = real_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0 || st.st_dev != id->st_dev || st.st_ino != id->st_ino) {
			real_close(fd);
			return -EPERM;
		}
	}
	if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		real_close(fd);
		return -ESTALE;
	}
	return fd;
}

/* Put lock descriptor @fd in place of the session descriptor @at, which
 * the environment names, or at a high number of its own if @at is -1.
 * Returns the number it is at now. */
static int place_lock(int fd, int at)
{
	if (at >= 0) {
		/* Not close-on-exec: what this process runs inherits it. */
		if (real_dup3(fd, at, 0) == at) {
			real_close(fd);
			return at;
		}
	}
	fd = move_high(fd, 0);
	fcntl(fd, F_SETFD, 0);
	return fd;
}

/* Join "FD:PATH" from the environment. Returns 0, or -errno to make a new one. */
static int join_session(const char *val)
{
	char *end;
	long fdnum = strtol(val, &end, 10);
	struct stat dst, fst;
	const char *path;
	int fd, inherited = -1;

	if (end == val || *end != ':' || end[1] != '/')
		return -EINVAL;
	path = end + 1;
	if (strlen(path) >= sizeof(rw_sess.path))
		return -ENAMETOOLONG;
	/* O_PATH: whatever a process that became another user may open, it
	 * may look at the folder this way. */
	fd = real_openat(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Only a folder of our own (or root's, for a tree that changed user) that
	 * has an index rwshim made: never adopt, and so never remove, another. */
	if (fstat(fd, &dst) < 0 || !trusted(&dst) || !secret_named(path) ||
	    real_fstatat(AT_FDCWD, path, &fst, AT_SYMLINK_NOFOLLOW) < 0 || fst.st_ino != dst.st_ino ||
	    !trusted_top(path, &rw_sess.top_id)) {
		real_close(fd);
		return -EPERM;
	}
	real_close(fd);
	if (fdnum >= 0 && fdnum < 1 << 20 && fstat((int)fdnum, &fst) == 0 &&
	    fst.st_dev == dst.st_dev && fst.st_ino == dst.st_ino)
		inherited = (int)fdnum;
	/* Our own lock, even where we inherited one: a session whose reaper
	 * holds it already is ending. */
	fd = own_lock(inherited, path, &dst);
	if (fd < 0)
		return fd;
	rw_sess.fd = place_lock(fd, inherited);
	rw_sess.owner = dst.st_uid;
	set_paths(path);
	if (map_index(rw_sess.fd, 0) < 0) {
		if (rw_sess.fd != inherited)
			real_close(rw_sess.fd);
		rw_sess.fd = -1;
		return -EINVAL;
	}
	if (rw_sess.fd != (int)fdnum)
		export_session();
	return 0;
}

/* In the child of a fork(): a lock of its own, as at start. pthread_atfork
 * runs this in fork() children only, never in a vfork() child, which
 * shares its parent's memory and descriptors' numbers would change under
 * it. Until it has its own, it holds its parent's: no moment without. */
static void relock_child(void)
{
	int saved = errno, fd;
	struct stat st;

	if (rw_sess.ix && rw_sess.fd >= 0 && fstat(rw_sess.fd, &st) == 0) {
		fd = own_lock(rw_sess.fd, rw_sess.path, &st);
		if (fd >= 0 && real_dup3(fd, rw_sess.fd, 0) == rw_sess.fd)
			real_close(fd);
		else if (fd >= 0)
			real_close(fd);
	}
	errno = saved;
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
		if (r == 0) {
			pthread_atfork(NULL, NULL, relock_child);
			return 0;
		}
		if (r != -ESTALE)
			rw_say_once(RW_WARN_SESSION, RWSHIM_ENV_SESSION,
				    ": not a session folder of this user made by rwshim; starting a new session",
				    (char *)NULL);
	}
	r = create_session();
	if (r == 0 && rw_cfg.scope == RW_SCOPE_TREE)
		pthread_atfork(NULL, NULL, relock_child);
	if (r < 0) {
		char mark[24];
		no_storage_reason = -r;
		rw_say("cannot make the storage folder in ", storage_dir,
		       rw_cfg.tmpdir[0] ? " (RWSHIM_TMPDIR): " : " (nor in /tmp or /dev/shm): ",
		       r == -EPERM ? RW_TMPDIR_UNSAFE_WHY : rw_strerror(-r),
		       "; writes to read-only places fail as before", (char *)NULL);
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
