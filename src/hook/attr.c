/* SPDX-License-Identifier: MIT */
/*
 * hook/attr.c - changing an entry's metadata through the merged view: the
 * chmod, chown, utime and truncate families. Each spelling is one
 * rw_modify_at() or rw_modify_fd() call (hook/common.c) with an operation
 * that makes the change for real; a read-only entry is copied up first and
 * the change lands on the copy.
 *
 * ftruncate is not hooked: a descriptor open for writing on a read-only
 * file is already one of the copy (open copies up), and the kernel answers
 * a read-only descriptor with EINVAL, as it does on a writable copy.
 */
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include "hook/create.h"
#include "hook/hook.h"

/* glibc declares these paths non-null, yet a NULL one must reach the real
 * call and fail there: hide it from the compiler's non-null reasoning. */
static inline const char *opaque(const char *path)
{
	__asm__("" : "+r"(path));
	return path;
}

/* ---- chmod ------------------------------------------------------------------- */

static int op_chmod(int dirfd, const char *path, int flags, void *arg)
{
	mode_t mode = *(const mode_t *)arg;
	int r;

	/* fchmodat takes no AT_EMPTY_PATH: a descriptor uses its own call. */
	if (flags & AT_EMPTY_PATH)
		r = RW_REAL(fchmod, (int)syscall(SYS_fchmod, dirfd, mode), dirfd, mode);
	else if (!(flags & AT_SYMLINK_NOFOLLOW))
		r = RW_REAL(fchmodat, (int)syscall(SYS_fchmodat, dirfd, path, mode), dirfd, path, mode,
			    0);
	else if (real_fchmodat)
		r = real_fchmodat(dirfd, path, mode, AT_SYMLINK_NOFOLLOW);
	else
		r = (int)rw_enosys();
	return r < 0 ? -errno : 0;
}

RW_EXPORT int chmod(const char *path, mode_t mode)
{
	int saved = errno;
	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 0, op_chmod, &mode), saved);
}

RW_EXPORT int lchmod(const char *path, mode_t mode)
{
	int saved = errno;
	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 1, op_chmod, &mode), saved);
}

RW_EXPORT int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	int saved = errno;

	if (flags & ~AT_SYMLINK_NOFOLLOW)
		return rw_ret(-EINVAL, saved);
	return rw_ret(rw_modify_at(__func__, dirfd, path, flags & AT_SYMLINK_NOFOLLOW, op_chmod, &mode),
		      saved);
}

RW_EXPORT int fchmod(int fd, mode_t mode)
{
	int saved = errno;
	return rw_ret(rw_modify_fd(__func__, fd, op_chmod, &mode), saved);
}

/* ---- chown ------------------------------------------------------------------- */

struct owner {
	uid_t uid;
	gid_t gid;
};

static int op_chown(int dirfd, const char *path, int flags, void *arg)
{
	const struct owner *o = arg;
	int r = RW_REAL(fchownat, (int)syscall(SYS_fchownat, dirfd, path, o->uid, o->gid, flags),
			dirfd, path, o->uid, o->gid, flags);

	return r < 0 ? -errno : 0;
}

RW_EXPORT int chown(const char *path, uid_t uid, gid_t gid)
{
	struct owner o = { uid, gid };
	int saved = errno;

	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 0, op_chown, &o), saved);
}

RW_EXPORT int lchown(const char *path, uid_t uid, gid_t gid)
{
	struct owner o = { uid, gid };
	int saved = errno;

	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 1, op_chown, &o), saved);
}

RW_EXPORT int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	struct owner o = { uid, gid };
	int saved = errno;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return rw_ret(-EINVAL, saved);
	path = opaque(path);
	if ((flags & AT_EMPTY_PATH) && path && !path[0])
		return rw_ret(rw_modify_fd(__func__, dirfd, op_chown, &o), saved);
	return rw_ret(rw_modify_at(__func__, dirfd, path, flags & AT_SYMLINK_NOFOLLOW, op_chown, &o),
		      saved);
}

RW_EXPORT int fchown(int fd, uid_t uid, gid_t gid)
{
	struct owner o = { uid, gid };
	int saved = errno;

	return rw_ret(rw_modify_fd(__func__, fd, op_chown, &o), saved);
}

/* ---- times ------------------------------------------------------------------- */

struct times {
	const struct timespec *ts; /* NULL: now */
	int fd_call;               /* futimens, futimes: the descriptor's own call */
};

static int op_utimens(int dirfd, const char *path, int flags, void *arg)
{
	const struct times *t = arg;
	int r;

	if ((flags & AT_EMPTY_PATH) && t->fd_call)
		r = RW_REAL(futimens, (int)syscall(SYS_utimensat, dirfd, NULL, t->ts, 0), dirfd,
			    t->ts);
	else
		r = RW_REAL(utimensat, (int)syscall(SYS_utimensat, dirfd, path, t->ts, flags), dirfd, path,
			    t->ts, flags);
	return r < 0 ? -errno : 0;
}

/* struct timeval[2] as struct timespec[2]; NULL stays NULL. The kernel
 * checks the ranges (EINVAL), as it does for utimes(). */
static const struct timespec *from_timeval(const struct timeval *tv, struct timespec *ts)
{
	if (!tv)
		return NULL;
	ts[0].tv_sec = tv[0].tv_sec;
	ts[0].tv_nsec = tv[0].tv_usec < 0 || tv[0].tv_usec >= 1000000 ? -1 : tv[0].tv_usec * 1000;
	ts[1].tv_sec = tv[1].tv_sec;
	ts[1].tv_nsec = tv[1].tv_usec < 0 || tv[1].tv_usec >= 1000000 ? -1 : tv[1].tv_usec * 1000;
	return ts;
}

RW_EXPORT int utimensat(int dirfd, const char *path, const struct timespec ts[2], int flags)
{
	struct times t = { ts, 0 };
	int saved = errno;

	/* glibc refuses a NULL path (futimens is the way to name a descriptor). */
	path = opaque(path);
	if (!path || (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
		return real_utimensat ? real_utimensat(dirfd, path, ts, flags) : (int)rw_enosys();
	if ((flags & AT_EMPTY_PATH) && !path[0])
		return rw_ret(rw_modify_fd(__func__, dirfd, op_utimens, &t), saved);
	return rw_ret(rw_modify_at(__func__, dirfd, path, flags & AT_SYMLINK_NOFOLLOW, op_utimens, &t),
		      saved);
}

RW_EXPORT int futimens(int fd, const struct timespec ts[2])
{
	struct times t = { ts, 1 };
	int saved = errno;

	return rw_ret(rw_modify_fd(__func__, fd, op_utimens, &t), saved);
}

RW_EXPORT int utime(const char *path, const struct utimbuf *buf)
{
	struct timespec ts[2];
	struct times t = { NULL, 0 };
	int saved = errno;

	if (buf) {
		ts[0].tv_sec = buf->actime;
		ts[0].tv_nsec = 0;
		ts[1].tv_sec = buf->modtime;
		ts[1].tv_nsec = 0;
		t.ts = ts;
	}
	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 0, op_utimens, &t), saved);
}

RW_EXPORT int utimes(const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];
	struct times t = { from_timeval(tv, ts), 0 };
	int saved = errno;

	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 0, op_utimens, &t), saved);
}

RW_EXPORT int lutimes(const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];
	struct times t = { from_timeval(tv, ts), 0 };
	int saved = errno;

	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 1, op_utimens, &t), saved);
}

RW_EXPORT int futimes(int fd, const struct timeval tv[2])
{
	struct timespec ts[2];
	struct times t = { from_timeval(tv, ts), 1 };
	int saved = errno;

	return rw_ret(rw_modify_fd(__func__, fd, op_utimens, &t), saved);
}

RW_EXPORT int futimesat(int dirfd, const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];
	struct times t = { from_timeval(tv, ts), 1 };
	int saved = errno;

	/* A NULL path names the descriptor itself. */
	if (!path)
		return rw_ret(rw_modify_fd(__func__, dirfd, op_utimens, &t), saved);
	t.fd_call = 0;
	return rw_ret(rw_modify_at(__func__, dirfd, path, 0, op_utimens, &t), saved);
}

/* ---- truncate ---------------------------------------------------------------- */

static int op_truncate(int dirfd, const char *path, int flags, void *arg)
{
	char at[PATH_MAX];
	int r;

	/* No truncateat: an entry of the storage is named through /proc. The
	 * walk that found it followed any link already. */
	(void)flags;
	if (path && rw_at_name(dirfd, path, at, sizeof(at)) < 0)
		return -ENAMETOOLONG;
	r = RW_REAL(truncate, (int)syscall(SYS_truncate, path ? at : NULL, *(const off_t *)arg),
		    path ? at : NULL, *(const off_t *)arg);
	return r < 0 ? -errno : 0;
}

RW_EXPORT int truncate(const char *path, off_t len)
{
	int saved = errno;
	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 0, op_truncate, &len), saved);
}

#ifdef __GLIBC__ /* musl: the *64 names are macros for the plain ones */
_Static_assert(sizeof(off64_t) == sizeof(off_t), "off64_t differs from off_t");

RW_EXPORT int truncate64(const char *path, off64_t len)
{
	off_t l = (off_t)len;
	int saved = errno;

	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 0, op_truncate, &l), saved);
}
#endif
