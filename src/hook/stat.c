/* SPDX-License-Identifier: MIT */
/*
 * hook/stat.c - stat, statx and access in all their spellings, funnelled
 * into rw_fstatat(), rw_statx() and rw_faccessat().
 */
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs/session.h"
#include "fs/view.h"
#include "fs/store.h"
#include "hook/hook.h"

static long upper_rel(const struct rw_loc *loc, char *rel)
{
	return rw_view_upper_rel(loc->path, loc->len, rel, PATH_MAX);
}

int rw_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct rw_loc loc;
	int r = rw_look(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &loc);

	if (r == 0) {
		r = RW_REAL(fstatat, (int)syscall(SYS_newfstatat, dirfd, path, st, flags), dirfd, path,
			    st, flags);
		return r < 0 ? -errno : r;
	}
	if (r < 0)
		return r;
	/* The walk stat'ed the entry already (with the merged identity). */
	*st = loc.st;
	return 0;
}

#ifdef STATX_TYPE /* musl before 1.2.5 has no struct statx */
/* statx of storage entry @rel itself. Returns 0 or -errno. */
static int upper_statx(const char *rel, int flags, unsigned int mask, struct statx *stx)
{
	const char *name;
	int dfd = rw_store_dir(rel, &name), r;

	if (dfd < 0)
		return dfd;
	r = real_statx(dfd, name, flags | AT_SYMLINK_NOFOLLOW, mask, stx) < 0 ? -errno : 0;
	rw_store_close(dfd);
	return r;
}

static void stat_to_statx(const struct stat *st, struct statx *stx)
{
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS;
	stx->stx_blksize = (uint32_t)st->st_blksize;
	stx->stx_nlink = (uint32_t)st->st_nlink;
	stx->stx_uid = st->st_uid;
	stx->stx_gid = st->st_gid;
	stx->stx_mode = (uint16_t)st->st_mode;
	stx->stx_ino = st->st_ino;
	stx->stx_size = (uint64_t)st->st_size;
	stx->stx_blocks = (uint64_t)st->st_blocks;
	stx->stx_atime.tv_sec = st->st_atim.tv_sec;
	stx->stx_atime.tv_nsec = (uint32_t)st->st_atim.tv_nsec;
	stx->stx_mtime.tv_sec = st->st_mtim.tv_sec;
	stx->stx_mtime.tv_nsec = (uint32_t)st->st_mtim.tv_nsec;
	stx->stx_ctime.tv_sec = st->st_ctim.tv_sec;
	stx->stx_ctime.tv_nsec = (uint32_t)st->st_ctim.tv_nsec;
	stx->stx_rdev_major = major(st->st_rdev);
	stx->stx_rdev_minor = minor(st->st_rdev);
	stx->stx_dev_major = major(st->st_dev);
	stx->stx_dev_minor = minor(st->st_dev);
}

int rw_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	char rel[PATH_MAX];
	struct rw_loc loc;
	int r = rw_look(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &loc);

	if (r == 0) {
		r = RW_REAL(statx, (int)syscall(SYS_statx, dirfd, path, flags, mask, stx), dirfd, path,
			    flags, mask, stx);
		return r < 0 ? -errno : r;
	}
	if (r < 0)
		return r;
	/* The walk stat'ed the entry: enough when only the basic fields are asked. */
	if (!(mask & ~STATX_BASIC_STATS)) {
		stat_to_statx(&loc.st, stx);
		return 0;
	}
	flags |= AT_SYMLINK_NOFOLLOW;
	if (loc.layer == RW_LOWER)
		r = real_statx(AT_FDCWD, loc.path, flags, mask, stx) < 0 ? -errno : 0;
	else if (upper_rel(&loc, rel) < 0)
		return -ENAMETOOLONG;
	else
		r = upper_statx(rel, flags, mask, stx);
	if (r < 0)
		return r;
	if (loc.layer == RW_MERGED) {
		stx->stx_dev_major = major(loc.st.st_dev);
		stx->stx_dev_minor = minor(loc.st.st_dev);
		stx->stx_ino = loc.st.st_ino;
		stx->stx_nlink = 1;
	}
	return 0;
}
#endif

#ifndef __GLIBC__
/* musl has no group_member(): look in the first 256 supplementary groups. */
static int group_member(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups(256, groups);

	while (n-- > 0)
		if (groups[n] == gid)
			return 1;
	return 0;
}
#endif

/* Whether the credentials in use may @mode (R_OK|W_OK|X_OK) entry @st. */
static int permits(const struct stat *st, int mode, int effective)
{
	uid_t uid = effective ? geteuid() : getuid();
	gid_t gid = effective ? getegid() : getgid();
	unsigned int bits;

	if (uid == 0)
		return !(mode & X_OK) || S_ISDIR(st->st_mode) || (st->st_mode & 0111);
	if (st->st_uid == uid)
		bits = (st->st_mode >> 6) & 7;
	else if (st->st_gid == gid || group_member(st->st_gid))
		bits = (st->st_mode >> 3) & 7;
	else
		bits = st->st_mode & 7;
	return (unsigned int)(mode & 7) == ((unsigned int)mode & bits & 7);
}

int rw_faccessat(int dirfd, const char *path, int mode, int flags)
{
	char rel[PATH_MAX];
	struct rw_loc loc;
	int r = rw_look(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &loc);
	int e;

	if (r == 0) {
		r = RW_REAL(faccessat, (int)syscall(SYS_faccessat2, dirfd, path, mode, flags), dirfd,
			    path, mode, flags);
		if (r == 0 || !(mode & W_OK) || !rw_ready() || !rw_refused(errno))
			return r < 0 ? -errno : r;
		/* Refused for writing: say what a write would do now, which is
		 * to land in the overlay if the permissions allow it. */
		e = errno;
		{
			struct rw_vpath vp;
			if (rw_view_abs(dirfd, path, &vp) < 0 || rw_view_quick(&vp) == RW_EXCLUDED ||
			    !rw_sess.ix || rw_view_resolve(&vp, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : RW_FOLLOW,
							   &loc) < 0 || loc.layer == RW_NONE)
				return -e;
		}
		return permits(&loc.st, mode, flags & AT_EACCESS) ? 0 : -EACCES;
	}
	if (r < 0)
		return r;
	if (loc.layer == RW_LOWER || loc.layer == RW_MERGED) {
		r = real_faccessat(AT_FDCWD, loc.path, mode, flags | AT_SYMLINK_NOFOLLOW);
		if (r == 0 || !(mode & W_OK) || !rw_refused(errno))
			return r < 0 ? -errno : 0;
		return permits(&loc.st, mode, flags & AT_EACCESS) ? 0 : -EACCES;
	}
	if (upper_rel(&loc, rel) < 0)
		return -ENAMETOOLONG;
	{
		const char *name;
		int dfd = rw_store_dir(rel, &name);
		if (dfd < 0)
			return dfd;
		r = real_faccessat(dfd, name, mode, flags | AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
		rw_store_close(dfd);
	}
	return r;
}

/* ---- the spellings ------------------------------------------------------- */

/* 1 with *@st filled from the merged view, 0 when the real call on the
 * program's own arguments is right, or -errno. */
static int stat_view(int dirfd, const char *path, struct stat *st, int flags)
{
	struct rw_loc loc;
	int r = rw_look(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &loc);

	if (r > 0)
		*st = loc.st;
	return r;
}

/*
 * Each spelling passes through to its own next definition, never to
 * another spelling: a library preloaded beside us (fakeroot) may implement
 * fstatat by calling __fxstatat by name, which must not come back here.
 */
#define STAT_HOOK(name, params, dirfd, path, st, flags, ...)                              \
	RW_EXPORT int name params                                                         \
	{                                                                                 \
		int saved = errno, r = 0;                                                 \
		if (!rw_quiet())                                                          \
			r = stat_view(dirfd, path, (struct stat *)(st), flags);           \
		if (r == 0)                                                               \
			return RW_REAL(name, (int)syscall(SYS_newfstatat, dirfd, path, st,   \
							  flags),                             \
				       __VA_ARGS__);                                          \
		return rw_ret(r > 0 ? 0 : r, saved);                                      \
	}

STAT_HOOK(stat, (const char *path, struct stat *st), AT_FDCWD, path, st, 0, path, st)
STAT_HOOK(lstat, (const char *path, struct stat *st), AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW,
	  path, st)
STAT_HOOK(fstatat, (int dirfd, const char *path, struct stat *st, int flags), dirfd, path, st,
	  flags, dirfd, path, st, flags)

#ifdef __GLIBC__ /* musl: the *64 names are macros for the plain ones */
/* On the 64-bit targets rwshim builds for, struct stat64 is struct stat. */
_Static_assert(sizeof(struct stat64) == sizeof(struct stat), "stat64 differs from stat");

STAT_HOOK(stat64, (const char *path, struct stat64 *st), AT_FDCWD, path, st, 0, path, st)
STAT_HOOK(lstat64, (const char *path, struct stat64 *st), AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW,
	  path, st)
STAT_HOOK(fstatat64, (int dirfd, const char *path, struct stat64 *st, int flags), dirfd, path, st,
	  flags, dirfd, path, st, flags)

/* The pre-2.33 entry points old binaries still call; @ver is the kernel
 * stat layout, which on 64-bit targets is the one struct stat has. */
STAT_HOOK(__xstat, (int ver, const char *path, struct stat *st), AT_FDCWD, path, st, 0, ver, path,
	  st)
STAT_HOOK(__lxstat, (int ver, const char *path, struct stat *st), AT_FDCWD, path, st,
	  AT_SYMLINK_NOFOLLOW, ver, path, st)
STAT_HOOK(__fxstatat, (int ver, int dirfd, const char *path, struct stat *st, int flags), dirfd,
	  path, st, flags, ver, dirfd, path, st, flags)
STAT_HOOK(__xstat64, (int ver, const char *path, struct stat64 *st), AT_FDCWD, path, st, 0, ver,
	  path, st)
STAT_HOOK(__lxstat64, (int ver, const char *path, struct stat64 *st), AT_FDCWD, path, st,
	  AT_SYMLINK_NOFOLLOW, ver, path, st)
STAT_HOOK(__fxstatat64, (int ver, int dirfd, const char *path, struct stat64 *st, int flags), dirfd,
	  path, st, flags, ver, dirfd, path, st, flags)
#endif

#ifdef STATX_TYPE
RW_EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	int saved = errno;

	if (rw_quiet())
		return RW_REAL(statx, (int)syscall(SYS_statx, dirfd, path, flags, mask, stx), dirfd, path,
			       flags, mask, stx);
	return rw_ret(rw_statx(dirfd, path, flags, mask, stx), saved);
}
#endif

RW_EXPORT int access(const char *path, int mode)
{
	int saved = errno;

	if (!(mode & W_OK) && rw_quiet())
		return RW_REAL(faccessat, (int)syscall(SYS_faccessat2, AT_FDCWD, path, mode, 0), AT_FDCWD,
			       path, mode, 0);
	return rw_ret(rw_faccessat(AT_FDCWD, path, mode, 0), saved);
}

RW_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	int saved = errno;

	if (!(mode & W_OK) && rw_quiet())
		return RW_REAL(faccessat, (int)syscall(SYS_faccessat2, dirfd, path, mode, flags), dirfd,
			       path, mode, flags);
	return rw_ret(rw_faccessat(dirfd, path, mode, flags), saved);
}
