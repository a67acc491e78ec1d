/* SPDX-License-Identifier: MIT */
/*
 * hook/misc.c - the path-taking calls that fit no family: filesystem
 * figures (statfs, statvfs and their 64 and f* spellings), pathconf,
 * euidaccess/eaccess, inotify_add_watch and name_to_handle_at.
 *
 * statfs and statvfs report what a write would now do. Where writes are
 * redirected (a read-only filesystem outside /proc, /sys, /dev and
 * RWSHIM_EXCLUDE, a protected tree, an overlay entry) the answer keeps the
 * identity of the real filesystem (type, fsid, name length, mount flags)
 * without its read-only flag, and takes the room (block size, blocks,
 * free blocks, inodes) of the storage's filesystem, where the writes land.
 */
#include <string.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/path.h"
#include "fs/copyup.h"
#include "fs/session.h"
#include "fs/store.h"
#include "fs/view.h"
#include "hook/create.h"
#include "hook/hook.h"

/* ---- statfs and statvfs ------------------------------------------------------ */

_Static_assert(sizeof(struct statfs64) == sizeof(struct statfs), "statfs64 differs from statfs");
_Static_assert(sizeof(struct statvfs64) == sizeof(struct statvfs), "statvfs64 differs");

/* The real path that stands for an entry of the merged view. */
struct fs_where {
	int redirected; /* writes there land in the overlay */
	char path[PATH_MAX];
};

/* Find the real path whose filesystem describes @path's in the merged view:
 * the entry itself, or for an overlay entry its nearest ancestor that the
 * real filesystem has. Returns 1 with @w filled, 0 when the program's own
 * name will do, or -errno. */
static int fs_where(const char *path, struct fs_where *w)
{
	struct rw_vpath vp;
	struct rw_loc loc;
	const char *name;
	struct stat st;
	size_t len;
	int r = rw_look(AT_FDCWD, path, 1, &loc);

	if (r <= 0)
		return r;
	w->redirected = loc.layer != RW_LOWER ||
			(rw_view_abs(AT_FDCWD, path, &vp) == 0 && rw_view_protected(&vp));
	memcpy(w->path, loc.path, loc.len + 1);
	len = loc.len;
	while (loc.layer == RW_UPPER && real_fstatat(AT_FDCWD, w->path, &st, 0) < 0 && len > 1) {
		len = rw_path_split(w->path, len, &name);
		w->path[len] = '\0';
	}
	return 1;
}

/* Whether writes to @path (or descriptor @fd when @path is NULL) on a
 * read-only filesystem would be redirected. */
static int ro_redirected(int fd, const char *path)
{
	struct rw_vpath vp;

	if (!rw_ready() || !rw_sess.ix)
		return 0;
	if (path ? rw_view_abs(AT_FDCWD, path, &vp) < 0 : rw_view_abs(fd, ".", &vp) < 0)
		return 0;
	return rw_view_quick(&vp) != RW_EXCLUDED;
}

/* Take the room of the storage's filesystem, and drop the read-only flag. */
static void fix_statfs(struct statfs *sf)
{
	struct statfs st;

	if (real_fstatfs && real_fstatfs(rw_sess.fd, &st) == 0) {
		sf->f_bsize = st.f_bsize;
		sf->f_frsize = st.f_frsize;
		sf->f_blocks = st.f_blocks;
		sf->f_bfree = st.f_bfree;
		sf->f_bavail = st.f_bavail;
		sf->f_files = st.f_files;
		sf->f_ffree = st.f_ffree;
	}
	sf->f_flags &= ~(unsigned long)ST_RDONLY;
}

static void fix_statvfs(struct statvfs *sv)
{
	struct statvfs st;

	if (real_fstatvfs && real_fstatvfs(rw_sess.fd, &st) == 0) {
		sv->f_bsize = st.f_bsize;
		sv->f_frsize = st.f_frsize;
		sv->f_blocks = st.f_blocks;
		sv->f_bfree = st.f_bfree;
		sv->f_bavail = st.f_bavail;
		sv->f_files = st.f_files;
		sv->f_ffree = st.f_ffree;
		sv->f_favail = st.f_favail;
	}
	sv->f_flag &= ~(unsigned long)ST_RDONLY;
}

int rw_statfs(int fd, const char *path, struct statfs *sf)
{
	struct fs_where w;
	int r = path ? fs_where(path, &w) : 0;

	if (r < 0)
		return r;
	if (r == 0) {
		if (path)
			r = RW_REAL(statfs, (int)syscall(SYS_statfs, path, sf), path, sf);
		else
			r = RW_REAL(fstatfs, (int)syscall(SYS_fstatfs, fd, sf), fd, sf);
		if (r < 0)
			return -errno;
		if ((sf->f_flags & ST_RDONLY) && ro_redirected(fd, path))
			fix_statfs(sf);
		return 0;
	}
	if (real_statfs(w.path, sf) < 0)
		return -errno;
	if (w.redirected || ((sf->f_flags & ST_RDONLY) && ro_redirected(fd, path)))
		fix_statfs(sf);
	return 0;
}

int rw_statvfs(int fd, const char *path, struct statvfs *sv)
{
	struct fs_where w;
	int r = path ? fs_where(path, &w) : 0;

	if (r < 0)
		return r;
	if (r == 0) {
		r = path ? (real_statvfs ? real_statvfs(path, sv) : (int)rw_enosys())
			 : (real_fstatvfs ? real_fstatvfs(fd, sv) : (int)rw_enosys());
		if (r < 0)
			return -errno;
		if ((sv->f_flag & ST_RDONLY) && ro_redirected(fd, path))
			fix_statvfs(sv);
		return 0;
	}
	if (real_statvfs(w.path, sv) < 0)
		return -errno;
	if (w.redirected || ((sv->f_flag & ST_RDONLY) && ro_redirected(fd, path)))
		fix_statvfs(sv);
	return 0;
}

RW_EXPORT int statfs(const char *path, struct statfs *sf)
{
	int saved = errno;
	return rw_ret(rw_statfs(-1, path, sf), saved);
}

#ifdef __GLIBC__ /* musl: the *64 names are macros for the plain ones */
RW_EXPORT int statfs64(const char *path, struct statfs64 *sf)
{
	int saved = errno;
	return rw_ret(rw_statfs(-1, path, (struct statfs *)sf), saved);
}
#endif

RW_EXPORT int fstatfs(int fd, struct statfs *sf)
{
	int saved = errno;
	return rw_ret(rw_statfs(fd, NULL, sf), saved);
}

#ifdef __GLIBC__
RW_EXPORT int fstatfs64(int fd, struct statfs64 *sf)
{
	int saved = errno;
	return rw_ret(rw_statfs(fd, NULL, (struct statfs *)sf), saved);
}
#endif

RW_EXPORT int statvfs(const char *path, struct statvfs *sv)
{
	int saved = errno;
	return rw_ret(rw_statvfs(-1, path, sv), saved);
}

#ifdef __GLIBC__
RW_EXPORT int statvfs64(const char *path, struct statvfs64 *sv)
{
	int saved = errno;
	return rw_ret(rw_statvfs(-1, path, (struct statvfs *)sv), saved);
}
#endif

RW_EXPORT int fstatvfs(int fd, struct statvfs *sv)
{
	int saved = errno;
	return rw_ret(rw_statvfs(fd, NULL, sv), saved);
}

#ifdef __GLIBC__
RW_EXPORT int fstatvfs64(int fd, struct statvfs64 *sv)
{
	int saved = errno;
	return rw_ret(rw_statvfs(fd, NULL, (struct statvfs *)sv), saved);
}
#endif

/* ---- pathconf ---------------------------------------------------------------- */

/* The name the real call should get for @path (following links): the
 * program's own (returns 0), or in @buf (PATH_MAX bytes) the canonical path
 * of a lower entry or the storage name of an overlay entry (returns 1). */
static int view_name(int dirfd, const char *path, int follow, char *buf, int *dfd)
{
	char rel[PATH_MAX];
	struct rw_loc loc;
	int r = rw_look(dirfd, path, follow, &loc);

	*dfd = -1;
	if (r <= 0)
		return r;
	if (loc.layer == RW_LOWER) {
		memcpy(buf, loc.path, loc.len + 1);
		return 1;
	}
	if (rw_view_upper_rel(loc.path, loc.len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	*dfd = rw_store_name(rel, buf, PATH_MAX);
	return *dfd < 0 ? *dfd : 1;
}

RW_EXPORT long pathconf(const char *path, int name)
{
	char buf[PATH_MAX];
	int dfd, saved = errno, r = view_name(AT_FDCWD, path, 1, buf, &dfd);
	long v;

	if (r < 0)
		return rw_ret(r, saved);
	if (!real_pathconf) {
		if (dfd >= 0)
			rw_store_close(dfd);
		return rw_enosys();
	}
	/* A limit that does not exist is -1 with errno untouched. */
	errno = saved;
	v = real_pathconf(r ? buf : path, name);
	if (dfd >= 0)
		rw_store_close(dfd);
	return v;
}

/* ---- euidaccess -------------------------------------------------------------- */

RW_EXPORT int euidaccess(const char *path, int mode)
{
	int saved = errno;
	return rw_ret(rw_faccessat(AT_FDCWD, path, mode, AT_EACCESS), saved);
}

RW_EXPORT int eaccess(const char *path, int mode)
{
	int saved = errno;
	return rw_ret(rw_faccessat(AT_FDCWD, path, mode, AT_EACCESS), saved);
}

/* ---- inotify ----------------------------------------------------------------- */

/* A folder whose writes would land in the overlay gets its overlay half
 * now, so that a watch sees what is made in it later. Returns 1 with the
 * storage name in @buf (PATH_MAX bytes), or 0 to watch @path as it is. */
static int watch_overlay_half(const char *path, int follow, char *buf, int *dfd)
{
	char rel[PATH_MAX];
	struct rw_vpath vp;
	struct rw_loc loc;
	int r;

	if (!rw_sess.ix || rw_cfg.audit || rw_view_abs(AT_FDCWD, path, &vp) < 0 ||
	    rw_view_quick(&vp) == RW_EXCLUDED)
		return 0;
	r = real_faccessat(AT_FDCWD, path, W_OK, AT_EACCESS | (follow ? 0 : AT_SYMLINK_NOFOLLOW));
	if ((r == 0 || errno != EROFS) && !rw_view_protected(&vp))
		return 0;
	if (rw_session_storage() < 0 ||
	    rw_view_resolve(&vp, (follow ? RW_FOLLOW : 0) | RW_CANON, &loc) < 0 ||
	    loc.layer != RW_LOWER || !S_ISDIR(loc.st.st_mode) || rw_copy_up(&loc, 0) < 0)
		return 0;
	if (rw_view_upper_rel(loc.path, loc.len, rel, sizeof(rel)) < 0 ||
	    (*dfd = rw_store_name(rel, buf, PATH_MAX)) < 0)
		return 0;
	return 1;
}

/* An overlay entry is watched in the overlay, where its changes happen; a
 * merged folder in its overlay half (new and changed entries land there),
 * and a folder of a read-only filesystem is given one first. */
RW_EXPORT int inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	char buf[PATH_MAX];
	int saved = errno, follow = !(mask & IN_DONT_FOLLOW), dfd, half = -1, w;
	int r = view_name(AT_FDCWD, path, follow, buf, &dfd);

	if (r < 0)
		return rw_ret(r, saved);
	if (r == 0 && rw_ready() && path)
		r = watch_overlay_half(path, follow, buf, &half);
	else if (r == 1 && buf[0] == '/' && strncmp(buf, "/proc/", 6))
		/* A lower entry: @buf stays its path, or names its new half. */
		watch_overlay_half(buf, 0, buf, &half);
	errno = saved;
	w = RW_REAL(inotify_add_watch, (int)syscall(SYS_inotify_add_watch, fd, r ? buf : path, mask),
		    fd, r ? buf : path, mask);
	if (dfd >= 0)
		rw_store_close(dfd);
	if (half >= 0)
		rw_store_close(half);
	return w;
}

/* ---- file handles ------------------------------------------------------------ */

/* A handle names an inode of one filesystem: an overlay entry has none the
 * program could open again, so it is refused cleanly. */
RW_EXPORT int name_to_handle_at(int dirfd, const char *path, struct file_handle *handle,
				int *mount_id, int flags)
{
	struct rw_vpath vp;
	struct rw_loc loc;
	int saved = errno, r;

	if (!real_name_to_handle_at && rw_real_resolve() < 0)
		return (int)rw_enosys();
	if (!real_name_to_handle_at)
		return (int)rw_enosys();
	if ((flags & AT_EMPTY_PATH) && path && !path[0]) {
		/* A descriptor of an overlay entry lies in the storage. */
		if (rw_ready() && rw_view_live() && rw_view_abs(dirfd, ".", &vp) == 0 && vp.stored)
			return rw_ret(-EOPNOTSUPP, saved);
		return real_name_to_handle_at(dirfd, path, handle, mount_id, flags);
	}
	r = rw_look(dirfd, path, flags & AT_SYMLINK_FOLLOW, &loc);
	if (r == 0)
		return real_name_to_handle_at(dirfd, path, handle, mount_id, flags);
	if (r < 0)
		return rw_ret(r, saved);
	if (loc.layer == RW_UPPER)
		return rw_ret(-EOPNOTSUPP, saved);
	/* Lower, or a merged folder, which keeps its lower identity. */
	return real_name_to_handle_at(AT_FDCWD, loc.path, handle, mount_id,
				      flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH));
}
