/* SPDX-License-Identifier: MIT */
/*
 * hook/dir.c - making folders (rw_mkdirat) and listing them: opendir,
 * fdopendir, readdir, closedir, rewinddir give merged listings.
 */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/dirmerge.h"
#include "fs/session.h"
#include "fs/view.h"
#include "hook/create.h"
#include "hook/hook.h"

/* rw_make_at()'s operation for a folder: on the real filesystem, or in the
 * overlay, where one made where a deleted folder stood starts empty. */
static int make_dir(int dirfd, const char *path, const struct rw_loc *upper, void *arg)
{
	mode_t mode = *(mode_t *)arg;

	if (RW_REAL(mkdirat, (int)syscall(SYS_mkdirat, dirfd, path, mode), dirfd, path, mode) < 0)
		return -errno;
	return upper && upper->whiteout ? rw_view_make_opaque(upper->path, upper->len) : 0;
}

int rw_mkdirat(int dirfd, const char *path, mode_t mode)
{
	return rw_make_at("mkdir", dirfd, path, 1, make_dir, &mode);
}

RW_EXPORT int mkdir(const char *path, mode_t mode)
{
	int saved = errno;
	return rw_ret(rw_mkdirat(AT_FDCWD, path, mode), saved);
}

RW_EXPORT int mkdirat(int dirfd, const char *path, mode_t mode)
{
	int saved = errno;
	return rw_ret(rw_mkdirat(dirfd, path, mode), saved);
}

/* ---- listings ---------------------------------------------------------------- */

/* Resolve folder @path for a listing: 1 with @loc when it must be merged,
 * 0 when the real opendir is right, or -errno. */
static int listing_loc(int dirfd, const char *path, struct rw_loc *loc)
{
	struct rw_vpath vp;
	int r;

	if (!rw_ready() || !rw_view_live() || rw_view_abs(dirfd, path, &vp) < 0 ||
	    rw_view_quick(&vp) != RW_LOOK)
		return 0;
	r = rw_view_resolve(&vp, RW_FOLLOW, loc);
	if (r < 0)
		return r;
	if (loc->layer == RW_NONE)
		return -ENOENT;
	if (!S_ISDIR(loc->st.st_mode))
		return -ENOTDIR;
	return loc->layer == RW_LOWER ? 2 : 1;
}

RW_EXPORT DIR *opendir(const char *path)
{
	struct rw_loc loc;
	int saved = errno, r, err;
	DIR *d;

	if (!real_opendir && rw_real_resolve() < 0)
		return rw_enosys_ptr();
	r = listing_loc(AT_FDCWD, path, &loc);
	if (r == 0)
		return real_opendir(path);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	if (r == 2)
		return real_opendir(loc.path);
	d = rw_dir_open(&loc, -1, &err);
	errno = d ? saved : -err;
	return d;
}

RW_EXPORT DIR *fdopendir(int fd)
{
	struct rw_loc loc;
	int saved = errno, r, err;
	DIR *d;

	if (!real_fdopendir && rw_real_resolve() < 0)
		return rw_enosys_ptr();
	/* The descriptor names its folder: "" relative to it is the folder. */
	r = listing_loc(fd, ".", &loc);
	if (r <= 0 || r == 2)
		return real_fdopendir(fd);
	d = rw_dir_open(&loc, fd, &err);
	errno = d ? saved : -err;
	return d;
}

RW_EXPORT struct dirent *readdir(DIR *dir)
{
	if (!real_readdir && rw_real_resolve() < 0)
		return rw_enosys_ptr();
	return rw_dir_next(dir, 0);
}

#ifdef __GLIBC__ /* musl: the *64 names are macros for the plain ones */
RW_EXPORT struct dirent64 *readdir64(DIR *dir)
{
	if (!real_readdir64 && rw_real_resolve() < 0)
		return rw_enosys_ptr();
	return rw_dir_next(dir, 1);
}
#endif

RW_EXPORT int closedir(DIR *dir)
{
	if (!real_closedir && rw_real_resolve() < 0)
		return (int)rw_enosys();
	rw_dir_close(dir);
	return real_closedir(dir);
}

RW_EXPORT void rewinddir(DIR *dir)
{
	if (!real_rewinddir && rw_real_resolve() < 0)
		return;
	rw_dir_rewind(dir);
	real_rewinddir(dir);
}
