/* SPDX-License-Identifier: MIT */
/*
 * fs/store.c - the one way into the storage (see store.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/real.h"
#include "fs/session.h"
#include "fs/store.h"

#define BENEATH_NO_LINKS (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

/* The flags open(2) knows. openat(2) ignores the others; openat2(2) refuses
 * them, and with O_PATH all but O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC. */
#define OPEN_FLAGS                                                                        \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | \
	 O_SYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |    \
	 O_CLOEXEC | O_PATH | O_TMPFILE)
#define PATH_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* Set once openat2 is known to be missing (ENOSYS) or refused by a seccomp
 * policy (EPERM on a path the step-by-step walk can open): from then on
 * every open walks one folder at a time. */
static int no_openat2;

/* Open @rel under the session one name at a time, none of them a link
 * (the step-by-step form of openat2 with BENEATH_NO_LINKS). */
static int walk_open(const char *rel, int flags, mode_t mode)
{
	char part[NAME_MAX + 1];
	const char *p = rel, *slash;
	int dir = rw_sess.fd, fd;

	for (;;) {
		size_t n;

		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n > NAME_MAX || (n == 2 && p[0] == '.' && p[1] == '.')) {
			fd = n > NAME_MAX ? -ENAMETOOLONG : -EXDEV;
			break;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		if (!slash) {
			fd = real_openat(dir, part, flags | O_NOFOLLOW, mode);
			fd = fd < 0 ? -errno : fd;
			break;
		}
		fd = real_openat(dir, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			struct stat st;
			int e = errno;
			/* A link where a folder should be: ELOOP, as openat2 says it. */
			fd = e == ENOTDIR && real_fstatat(dir, part, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
					     S_ISLNK(st.st_mode)
				     ? -ELOOP
				     : -e;
			break;
		}
		if (dir != rw_sess.fd)
			real_close(dir);
		dir = fd;
		p = slash + 1;
	}
	if (dir != rw_sess.fd)
		real_close(dir);
	return fd;
}

static int open_beneath(const char *rel, int flags, mode_t mode)
{
	struct open_how how = { 0 };
	int fd, e;

	if (!__atomic_load_n(&no_openat2, __ATOMIC_RELAXED)) {
		flags &= (flags & O_PATH) ? PATH_FLAGS : OPEN_FLAGS;
		how.flags = (unsigned long long)(unsigned int)(flags | O_NOFOLLOW);
		how.mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode & 07777 : 0;
		how.resolve = BENEATH_NO_LINKS;
		fd = (int)syscall(SYS_openat2, rw_sess.fd, rel, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		e = errno;
		if (e != ENOSYS && e != EPERM && e != E2BIG)
			return -e;
		fd = walk_open(rel, flags, mode);
		if (e != EPERM || fd >= 0)
			__atomic_store_n(&no_openat2, 1, __ATOMIC_RELAXED);
		return fd;
	}
	return walk_open(rel, flags, mode);
}

int rw_store_open(const char *rel, int flags, mode_t mode)
{
	RW_BUSY_SCOPE();
	int e = errno, fd = open_beneath(rel, flags, mode);

	errno = e;
	return fd;
}

/* Whether no process but this one's user and root can change what the
 * folders on storage path @rel are: each is a folder (not a link) whose
 * owner is root or this user and which nobody else may write, or only with
 * the sticky bit (/tmp's copy), which keeps others from moving the next
 * folder, checked in turn. The session folder is the first. Then the
 * kernel may walk @rel as a path. Costs one fstatat per folder and no
 * descriptor. */
static int trusted_path(const char *rel)
{
	char dir[PATH_MAX];
	const char *p = rel, *slash;
	struct stat st;
	uid_t me = geteuid();

	while ((slash = strchr(p, '/'))) {
		size_t n = (size_t)(slash - rel);
		if (n >= sizeof(dir))
			return 0;
		memcpy(dir, rel, n);
		dir[n] = '\0';
		if (real_fstatat(rw_sess.fd, dir, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
		    (st.st_uid != 0 && st.st_uid != me) || ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)))
			return 0;
		p = slash + 1;
	}
	return 1;
}

int rw_store_trusted(const char *rel)
{
	RW_BUSY_SCOPE();
	int e = errno, r = trusted_path(rel);

	errno = e;
	return r;
}

int rw_store_dir(const char *rel, const char **name)
{
	RW_BUSY_SCOPE();
	/* @rel is the caller's own buffer (see store.h): cut at its last '/'
	 * for the moment rather than copied, which keeps PATH_MAX bytes off
	 * every storage access's stack. */
	char *slash = strrchr(rel, '/');
	int e = errno, fd;

	*name = slash ? slash + 1 : rel;
	if (!slash || !memchr(rel, '/', (size_t)(slash - rel))) {
		/* "upper", "work/NAME", "upper/NAME": in the session folder or
		 * in a child of it, which nobody but the session's owner can
		 * replace. */
		*name = rel;
		fd = rw_sess.fd;
	} else {
		*slash = '\0';
		fd = open_beneath(rel, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
		*slash = '/';
	}
	/* Out of descriptors: where nobody else can change the folders, the
	 * session descriptor and the whole path do without one. */
	if ((fd == -EMFILE || fd == -ENFILE) && trusted_path(rel)) {
		*name = rel;
		fd = rw_sess.fd;
	}
	errno = e;
	return fd;
}

void rw_store_close(int fd)
{
	int e = errno;

	if (fd != rw_sess.fd)
		real_close(fd);
	errno = e;
}

/* Run @call on the folder holding @rel and its last name: the shape of
 * every one-name change below. @call's result: 0 or -1 with errno. */
#define IN_DIR(rel, call)                                \
	do {                                             \
		const char *name;                        \
		int dfd = rw_store_dir((rel), &name), r; \
		if (dfd < 0)                             \
			return dfd;                      \
		r = (call) < 0 ? -errno : 0;             \
		rw_store_close(dfd);                     \
		return r;                                \
	} while (0)

int rw_store_stat(const char *rel, struct stat *st)
{
	RW_BUSY_SCOPE();
	IN_DIR(rel, real_fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW));
}

int rw_store_mkdir(const char *rel, mode_t mode)
{
	RW_BUSY_SCOPE();
	IN_DIR(rel, real_mkdirat(dfd, name, mode));
}

int rw_store_unlink(const char *rel, int flags)
{
	RW_BUSY_SCOPE();
	IN_DIR(rel, real_unlinkat(dfd, name, flags));
}

int rw_store_symlink(const char *target, const char *rel)
{
	RW_BUSY_SCOPE();
	IN_DIR(rel, real_symlinkat(target, dfd, name));
}

int rw_store_chown(const char *rel, uid_t uid, gid_t gid)
{
	RW_BUSY_SCOPE();
	IN_DIR(rel, real_fchownat(dfd, name, uid, gid, AT_SYMLINK_NOFOLLOW));
}

int rw_store_utimens(const char *rel, const struct timespec ts[2])
{
	RW_BUSY_SCOPE();
	IN_DIR(rel, real_utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW));
}

/* chmod of @name in @dfd, never through a link. libc's AT_SYMLINK_NOFOLLOW
 * does it (fchmodat2, or a chmod of the /proc/self/fd name of an O_PATH
 * descriptor); without /proc it says EOPNOTSUPP, and a folder or regular
 * file is then changed through a descriptor of its own. */
static int chmod_entry(int dfd, const char *name, mode_t mode)
{
	struct stat st;
	int fd, r;

	if (real_fchmodat(dfd, name, mode, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != EOPNOTSUPP)
		return -errno;
	fd = real_openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EOPNOTSUPP : -errno;
	r = fstat(fd, &st) < 0 ? -errno
	    : !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) ? -EOPNOTSUPP
	    : real_fchmod(fd, mode) < 0 ? -errno : 0;
	real_close(fd);
	return r;
}

int rw_store_chmod(const char *rel, mode_t mode)
{
	RW_BUSY_SCOPE();
	const char *name;
	int dfd = rw_store_dir(rel, &name), r;

	if (dfd < 0)
		return dfd;
	r = chmod_entry(dfd, name, mode);
	rw_store_close(dfd);
	return r;
}

long rw_store_readlink(const char *rel, char *buf, size_t size)
{
	RW_BUSY_SCOPE();
	const char *name;
	int dfd = rw_store_dir(rel, &name);
	ssize_t n;

	if (dfd < 0)
		return dfd;
	n = real_readlinkat(dfd, name, buf, size);
	n = n < 0 ? -errno : n;
	rw_store_close(dfd);
	return (long)n;
}

/* Two storage paths' folders, for the calls that take two names. */
static int two_dirs(const char *from, const char *to, int *ffd, const char **fname, int *tfd,
		    const char **tname)
{
	*ffd = rw_store_dir(from, fname);
	if (*ffd < 0)
		return *ffd;
	*tfd = rw_store_dir(to, tname);
	if (*tfd < 0) {
		rw_store_close(*ffd);
		return *tfd;
	}
	return 0;
}

int rw_store_rename(const char *from, const char *to, unsigned int flags)
{
	RW_BUSY_SCOPE();
	const char *fname, *tname;
	int ffd, tfd, r = two_dirs(from, to, &ffd, &fname, &tfd, &tname);

	if (r < 0)
		return r;
	r = real_renameat2(ffd, fname, tfd, tname, flags) < 0 ? -errno : 0;
	rw_store_close(ffd);
	rw_store_close(tfd);
	return r;
}

int rw_store_link(const char *from, const char *to)
{
	RW_BUSY_SCOPE();
	const char *fname, *tname;
	int ffd, tfd, r = two_dirs(from, to, &ffd, &fname, &tfd, &tname);

	if (r < 0)
		return r;
	r = real_linkat(ffd, fname, tfd, tname, 0) < 0 ? -errno : 0;
	rw_store_close(ffd);
	rw_store_close(tfd);
	return r;
}

long rw_store_fd_name(int dirfd, const char *name, char *out, size_t size)
{
	static const char head[] = "/proc/self/fd/";
	char digits[12];
	unsigned int v = (unsigned int)dirfd;
	size_t i = sizeof(head) - 1, nl = strlen(name);
	int nd = 0;

	do
		digits[nd++] = (char)('0' + v % 10);
	while ((v /= 10));
	if (i + (size_t)nd + 1 + nl + 1 > size)
		return -ENAMETOOLONG;
	memcpy(out, head, i);
	while (nd)
		out[i++] = digits[--nd];
	out[i++] = '/';
	memcpy(out + i, name, nl + 1);
	return (long)(i + nl);
}

int rw_store_name(const char *rel, char *out, size_t size)
{
	const char *name;
	int dfd = rw_store_dir(rel, &name);

	if (dfd >= 0 && rw_store_fd_name(dfd, name, out, size) < 0) {
		rw_store_close(dfd);
		return -ENAMETOOLONG;
	}
	return dfd;
}
