/* SPDX-License-Identifier: MIT */
/*
 * hook/xattr.c - reading extended attributes through the merged view.
 * There is no *at() form of these calls, so an overlay entry is reached
 * through an O_PATH descriptor and its /proc/self/fd name.
 */
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/session.h"
#include "fs/view.h"
#include "hook/hook.h"

/* The path to hand the real call: the program's own @path when the overlay
 * is not involved (returns 0), else a /proc/self/fd name in @proc with the
 * descriptor in *@fd (returns 1), or -errno. */
static int xattr_path(const char *path, int follow, char *proc, int *fd, const char **use)
{
	char rel[PATH_MAX];
	struct rw_vpath vp;
	struct rw_loc loc;
	int r;

	*use = path;
	*fd = -1;
	if (!rw_ready() || !rw_view_live() || rw_view_abs(AT_FDCWD, path, &vp) < 0 ||
	    rw_view_quick(&vp) != RW_LOOK)
		return 0;
	r = rw_view_resolve(&vp, follow ? RW_FOLLOW : 0, &loc);
	if (r < 0)
		return r;
	if (loc.layer == RW_NONE)
		return -ENOENT;
	if (loc.layer != RW_UPPER) {
		/* Lower entries are named by their canonical path. */
		memcpy(proc, loc.path, loc.len + 1);
		*use = proc;
		return 0;
	}
	if (rw_view_upper_rel(loc.path, loc.len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	*fd = real_openat(rw_sess.fd, rel, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	snprintf(proc, PATH_MAX, "/proc/self/fd/%d", *fd);
	*use = proc;
	return 1;
}

#define XATTR_HOOK(name, follow, viafd, params, args)                                    \
	RW_EXPORT ssize_t name params                                             \
	{                                                                          \
		char proc[PATH_MAX];                                               \
		const char *use;                                                   \
		int saved = errno, fd, e;                                          \
		ssize_t r;                                                         \
		int how = xattr_path(path, follow, proc, &fd, &use);               \
		if (how < 0) {                                                     \
			errno = -how;                                              \
			return -1;                                                 \
		}                                                                  \
		if (!real_##name || !real_##viafd)                                \
			return rw_enosys();                                        \
		r = fd >= 0 ? real_##viafd args : real_##name args;               \
		e = errno;                                                         \
		if (fd >= 0)                                                       \
			real_close(fd);                                            \
		errno = r < 0 ? e : saved;                                         \
		return r;                                                          \
	}

/* An overlay entry's /proc name is a link to it: follow that one link. */
XATTR_HOOK(getxattr, 1, getxattr, (const char *path, const char *name, void *value, size_t size),
	   (use, name, value, size))
XATTR_HOOK(lgetxattr, 0, getxattr, (const char *path, const char *name, void *value, size_t size),
	   (use, name, value, size))
XATTR_HOOK(listxattr, 1, listxattr, (const char *path, char *list, size_t size), (use, list, size))
XATTR_HOOK(llistxattr, 0, listxattr, (const char *path, char *list, size_t size), (use, list, size))
