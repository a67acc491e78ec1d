/* SPDX-License-Identifier: MIT */
/*
 * hook/open.c - open, creat, fopen and freopen in all their spellings,
 * funnelled into rw_openat().
 */
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/copyup.h"
#include "fs/session.h"
#include "fs/view.h"
#include "fs/store.h"
#include "hook/hook.h"

#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)

static int wants_write(int flags)
{
	return (flags & WRITE_FLAGS) || (flags & O_TMPFILE) == O_TMPFILE;
}

static int needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* Not inlined: its storage path is on the stack only while it opens. */
static __attribute__((noinline)) int open_upper(const struct rw_loc *loc, int flags, mode_t mode)
{
	char rel[PATH_MAX];

	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	/* The walk already followed every link the program asked to follow. */
	if ((flags & O_TMPFILE) != O_TMPFILE)
		flags |= O_NOFOLLOW;
	return rw_store_open(rel, flags, mode);
}

/* How open looks @flags' path up: O_CREAT | O_EXCL never follows a link. */
static int open_walk_flags(int flags)
{
	int excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);

	return !(flags & O_NOFOLLOW) && !excl ? RW_FOLLOW : 0;
}

/* Open @vp in the overlay, copying it up or making it as the flags say.
 * @seen is what the caller's walk found, used when it is as good as a
 * canonical one. */
static int open_overlay(const struct rw_vpath *vp, int flags, mode_t mode,
			const struct rw_loc *seen)
{
	struct rw_loc loc;
	int excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	int r = 0;

	if (seen && seen->canon)
		loc = *seen;
	else
		r = rw_view_resolve(vp, open_walk_flags(flags) | RW_CANON, &loc);
	if (r < 0)
		return r;
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		/* An unnamed file in a folder: make the folder, open it there. */
		if (loc.layer == RW_NONE)
			return -ENOENT;
		if (!S_ISDIR(loc.st.st_mode))
			return -ENOTDIR;
		if (loc.layer == RW_LOWER && (r = rw_copy_up(&loc, 0)) < 0)
			return r;
		return open_upper(&loc, flags, mode);
	}
	switch (loc.layer) {
	case RW_UPPER:
		break;
	case RW_MERGED:
		if (excl)
			return -EEXIST;
		break;
	case RW_LOWER:
		if (excl)
			return -EEXIST;
		if (S_ISDIR(loc.st.st_mode))
			return -EISDIR;
		if (S_ISLNK(loc.st.st_mode))
			return -ELOOP;
		/* Writing to a FIFO, socket or device changes no file: use it. */
		if (!S_ISREG(loc.st.st_mode)) {
			r = real_openat(AT_FDCWD, loc.path, (flags & ~(O_CREAT | O_TRUNC)) | O_NOFOLLOW, mode);
			return r < 0 ? -errno : r;
		}
		r = rw_copy_up(&loc, !(flags & O_TRUNC) || !S_ISREG(loc.st.st_mode));
		if (r < 0)
			return r;
		break;
	case RW_NONE:
		if (!(flags & O_CREAT))
			return -ENOENT;
		if (vp->trailing)
			return -EISDIR;
		if (!loc.parent_upper && (r = rw_view_make_parents(loc.path, loc.len)) < 0)
			return r;
		if ((r = rw_view_mark_new(loc.path, loc.len)) < 0)
			return r;
		r = open_upper(&loc, flags, mode);
		if (r >= 0 && loc.whiteout)
			rw_view_unwhiteout(loc.path, loc.len);
		return r;
	}
	return open_upper(&loc, flags & ~(O_CREAT | O_EXCL), mode);
}

/* The write was refused by the real filesystem (or the path is protected):
 * make it in the overlay. @err is the error to give when we cannot. */
static int open_redirected(const struct rw_vpath *vp, int flags, mode_t mode, int err,
			   const struct rw_loc *seen)
{
	int r = rw_redirect_begin("open", vp, NULL, flags, err);

	if (r < 0)
		return r;
	return rw_redirect_end("open", vp, NULL, flags, open_overlay(vp, flags, mode, seen));
}

int rw_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	struct rw_vpath vp;
	struct rw_loc loc;
	int fd, r, e;

	if (!rw_ready() || !path) {
		fd = RW_REAL(openat, (int)syscall(SYS_openat, dirfd, path, flags, mode), dirfd, path,
			     flags, mode);
		return fd < 0 ? -errno : fd;
	}
	if (!rw_view_live() || rw_view_abs(dirfd, path, &vp) < 0 || rw_view_quick(&vp) != RW_LOOK) {
		/* Nothing of the overlay is near: the real call decides. */
		fd = real_openat(dirfd, path, flags, mode);
		if (fd >= 0 || !wants_write(flags) || !rw_refused(errno))
			return fd < 0 ? -errno : fd;
		e = errno;
		if (rw_view_abs(dirfd, path, &vp) < 0)
			return -e;
		return open_redirected(&vp, flags, mode, e, NULL);
	}
	r = rw_view_resolve(&vp, open_walk_flags(flags), &loc);
	if (r < 0)
		return r;
	if (loc.layer == RW_UPPER) {
		if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			return -EEXIST;
		return open_upper(&loc, flags & ~O_CREAT, mode);
	}
	if (loc.layer == RW_NONE) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		if (loc.hidden || loc.whiteout)
			return open_redirected(&vp, flags, mode, EROFS, &loc);
	}
	if (wants_write(flags) && rw_view_protected(&vp) &&
	    (loc.layer == RW_NONE || S_ISREG(loc.st.st_mode) || S_ISDIR(loc.st.st_mode)))
		return open_redirected(&vp, flags, mode, EROFS, &loc);
	/* The lower layer (a merged folder is represented by the lower one);
	 * the walk followed the links already. */
	fd = real_openat(AT_FDCWD, loc.path, flags | (loc.layer == RW_NONE ? 0 : O_NOFOLLOW), mode);
	if (fd >= 0 || !wants_write(flags))
		return fd < 0 ? -errno : fd;
	e = errno;
	/* A new name in a folder that only the overlay has fails below with
	 * ENOENT: it belongs in the overlay too. */
	if (rw_refused(e) || (loc.layer == RW_NONE && (e == ENOENT || e == ENOTDIR)))
		return open_redirected(&vp, flags, mode, e, &loc);
	return -e;
}

/* ---- the spellings ------------------------------------------------------- */

/* A read-only open with nothing to do goes straight to the real call. */
#define OPEN_QUIET(dirfd, path, flags)                                                   \
	do {                                                                             \
		if (!wants_write(flags) && rw_quiet())                                   \
			return RW_REAL(openat, (int)syscall(SYS_openat, dirfd, path, flags, 0), \
				       dirfd, path, flags, 0);                           \
	} while (0)

#define MODE_ARG(flags, mode)                              \
	do {                                               \
		if (needs_mode(flags)) {                   \
			va_list ap;                        \
			va_start(ap, flags);               \
			mode = (mode_t)va_arg(ap, int);    \
			va_end(ap);                        \
		}                                          \
	} while (0)

RW_EXPORT int open(const char *path, int flags, ...)
{
	int saved = errno;
	mode_t mode = 0;

	OPEN_QUIET(AT_FDCWD, path, flags);
	MODE_ARG(flags, mode);
	return rw_ret(rw_openat(AT_FDCWD, path, flags, mode), saved);
}

#ifdef __GLIBC__ /* musl: the *64 names are macros for the plain ones */
RW_EXPORT int open64(const char *path, int flags, ...)
{
	int saved = errno;
	mode_t mode = 0;

	OPEN_QUIET(AT_FDCWD, path, flags | O_LARGEFILE);
	MODE_ARG(flags, mode);
	return rw_ret(rw_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode), saved);
}
#endif

RW_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	int saved = errno;
	mode_t mode = 0;

	OPEN_QUIET(dirfd, path, flags);
	MODE_ARG(flags, mode);
	return rw_ret(rw_openat(dirfd, path, flags, mode), saved);
}

#ifdef __GLIBC__
RW_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	int saved = errno;
	mode_t mode = 0;

	OPEN_QUIET(dirfd, path, flags | O_LARGEFILE);
	MODE_ARG(flags, mode);
	return rw_ret(rw_openat(dirfd, path, flags | O_LARGEFILE, mode), saved);
}
#endif

/* FORTIFY: the compiler could not prove the mode argument unneeded. glibc
 * aborts when O_CREAT comes without a mode; we can only pass 0 through. */
RW_EXPORT int __open_2(const char *path, int flags)
{
	int saved = errno;
	return rw_ret(rw_openat(AT_FDCWD, path, flags, 0), saved);
}

RW_EXPORT int __open64_2(const char *path, int flags)
{
	int saved = errno;
	return rw_ret(rw_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0), saved);
}

RW_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	int saved = errno;
	return rw_ret(rw_openat(dirfd, path, flags, 0), saved);
}

RW_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	int saved = errno;
	return rw_ret(rw_openat(dirfd, path, flags | O_LARGEFILE, 0), saved);
}

RW_EXPORT int creat(const char *path, mode_t mode)
{
	int saved = errno;
	return rw_ret(rw_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode), saved);
}

#ifdef __GLIBC__
RW_EXPORT int creat64(const char *path, mode_t mode)
{
	int saved = errno;
	return rw_ret(rw_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_LARGEFILE, mode),
		      saved);
}
#endif

/* ---- stdio ---------------------------------------------------------------- */

/* fopen's mode string as open flags; -1 for a mode glibc would refuse. */
static int fopen_flags(const char *mode)
{
	int flags;
	const char *m;

	switch (mode[0]) {
	case 'r': flags = O_RDONLY; break;
	case 'w': flags = O_WRONLY | O_CREAT | O_TRUNC; break;
	case 'a': flags = O_WRONLY | O_CREAT | O_APPEND; break;
	default: return -1;
	}
	for (m = mode + 1; *m && *m != ','; m++) {
		if (*m == '+')
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		else if (*m == 'x')
			flags |= O_EXCL;
		else if (*m == 'e')
			flags |= O_CLOEXEC;
	}
	return flags;
}

/* Whether fopen can go straight to libc: nothing of the overlay is near. */
static int fopen_passes(const char *path)
{
	struct rw_vpath vp;

	return !rw_ready() || !path || !rw_view_live() ||
	       (rw_view_abs(AT_FDCWD, path, &vp) == 0 && rw_view_quick(&vp) != RW_LOOK);
}

/* Open @path as fopen's @mode would, through the merged view. */
static int fopen_fd(const char *path, const char *mode, int large)
{
	int flags = mode ? fopen_flags(mode) : -1;

	if (flags < 0)
		return -EINVAL;
	return rw_openat(AT_FDCWD, path, flags | (large ? O_LARGEFILE : 0), 0666);
}

static FILE *fopen_common(const char *path, const char *mode,
			  FILE *(*real)(const char *, const char *), int large)
{
	int saved = errno, fd;
	FILE *f;

	if (fopen_passes(path)) {
		if (!real)
			return rw_enosys_ptr();
		f = real(path, mode);
		if (f || !rw_ready() || !rw_refused(errno) || !mode ||
		    (mode[0] == 'r' && !strchr(mode, '+')))
			return f;
	}
	fd = fopen_fd(path, mode, large);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, mode);
	if (!f) {
		int e = errno;
		real_close(fd);
		errno = e;
		return NULL;
	}
	errno = saved;
	return f;
}

RW_EXPORT FILE *fopen(const char *path, const char *mode)
{
	rw_ready();
	return fopen_common(path, mode, real_fopen, 0);
}

#ifdef __GLIBC__
RW_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	rw_ready();
	return fopen_common(path, mode, real_fopen64, 1);
}
#endif

static FILE *freopen_common(const char *path, const char *mode, FILE *stream,
			    FILE *(*real)(const char *, const char *, FILE *), int large)
{
	char proc[32];
	int saved = errno, fd;
	FILE *f;

	if (!real)
		return rw_enosys_ptr();
	if (!path || fopen_passes(path)) {
		f = real(path, mode, stream);
		if (f || !path || !rw_ready() || !rw_refused(errno) ||
		    (mode[0] == 'r' && !strchr(mode, '+')))
			return f;
		/* freopen closed @stream already: reopening it below is all we can do. */
	}
	fd = fopen_fd(path, mode, large);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	/* Let libc reopen @stream on our descriptor's file, then drop ours. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	f = real(proc, mode, stream);
	{
		int e = errno;
		real_close(fd);
		errno = f ? saved : e;
	}
	return f;
}

RW_EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream)
{
	rw_ready();
	return freopen_common(path, mode, stream, real_freopen, 0);
}

#ifdef __GLIBC__
RW_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
	rw_ready();
	return freopen_common(path, mode, stream, real_freopen64, 1);
}
#endif
