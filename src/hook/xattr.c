/* SPDX-License-Identifier: MIT */
/*
 * hook/xattr.c - extended attributes through the merged view. Reads see the
 * overlay's entry where there is one (a merged folder's attributes are its
 * overlay half's, as for stat); set and remove copy a read-only entry up
 * first, as chmod does (rw_modify_at). There is no *at() form of these
 * calls, so an overlay entry is named through a descriptor of its storage
 * folder, "/proc/self/fd/DIR/NAME" (fs/store.h), which lets the l* calls
 * act on a link itself.
 *
 * fgetxattr and flistxattr are not hooked: a descriptor reads the
 * attributes of the file it refers to, lower or overlay.
 */
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/store.h"
#include "fs/view.h"
#include "hook/create.h"
#include "hook/hook.h"

/* The real function, or ENOSYS when libc lacks it. */
#define CALL(name, ...) (real_##name ? real_##name(__VA_ARGS__) : rw_enosys())

/* ---- reading ----------------------------------------------------------------- */

/* The path to hand the real call in *@use: the program's own @path when
 * the overlay is not involved, the canonical path of a lower entry, the
 * storage name of an overlay entry (both in @buf, PATH_MAX bytes). The
 * final component of the last two is never a link to follow unless @follow
 * is 0. Returns 0 or -errno. */
static int xattr_path(const char *path, int follow, char *buf, const char **use, int *dfd)
{
	char rel[PATH_MAX];
	struct rw_loc loc;
	int r = rw_look(AT_FDCWD, path, follow, &loc);

	*use = path;
	*dfd = -1;
	if (r <= 0)
		return r;
	*use = buf;
	if (loc.layer == RW_LOWER) {
		memcpy(buf, loc.path, loc.len + 1);
		return 0;
	}
	if (rw_view_upper_rel(loc.path, loc.len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	*dfd = rw_store_name(rel, buf, PATH_MAX);
	return *dfd < 0 ? *dfd : 0;
}

#define XATTR_READ(fn, follow, params, ...)                       \
	RW_EXPORT ssize_t fn params                                \
	{                                                          \
		char buf[PATH_MAX];                                \
		const char *use;                                   \
		int saved = errno, how, dfd;                       \
		ssize_t r;                                         \
                                                                   \
		how = xattr_path(path, follow, buf, &use, &dfd);   \
		if (how < 0)                                       \
			return rw_ret(how, saved);                 \
		r = CALL(fn, use, __VA_ARGS__);                    \
		if (dfd >= 0)                                      \
			rw_store_close(dfd);                       \
		if (r >= 0)                                        \
			errno = saved;                             \
		return r;                                          \
	}

XATTR_READ(getxattr, 1, (const char *path, const char *name, void *value, size_t size),
	   name, value, size)
XATTR_READ(lgetxattr, 0, (const char *path, const char *name, void *value, size_t size),
	   name, value, size)
XATTR_READ(listxattr, 1, (const char *path, char *list, size_t size), list, size)
XATTR_READ(llistxattr, 0, (const char *path, char *list, size_t size), list, size)

/* ---- changing ---------------------------------------------------------------- */

struct xattr_change {
	const char *name;
	const void *value;
	size_t size;
	int flags;
	int remove;
};

static int op_xattr(int dirfd, const char *path, int flags, void *arg)
{
	const struct xattr_change *c = arg;
	char at[PATH_MAX];
	const char *use = path;
	int r;

	if (flags & AT_EMPTY_PATH) {
		r = c->remove ? (int)CALL(fremovexattr, dirfd, c->name)
			      : (int)CALL(fsetxattr, dirfd, c->name, c->value, c->size, c->flags);
		return r < 0 ? -errno : 0;
	}
	if (path && rw_at_name(dirfd, path, at, sizeof(at)) < 0)
		return -ENAMETOOLONG;
	if (path)
		use = at;
	if (c->remove)
		r = (flags & AT_SYMLINK_NOFOLLOW) ? (int)CALL(lremovexattr, use, c->name)
						  : (int)CALL(removexattr, use, c->name);
	else if (flags & AT_SYMLINK_NOFOLLOW)
		r = (int)CALL(lsetxattr, use, c->name, c->value, c->size, c->flags);
	else
		r = (int)CALL(setxattr, use, c->name, c->value, c->size, c->flags);
	return r < 0 ? -errno : 0;
}

RW_EXPORT int setxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
	struct xattr_change c = { name, value, size, flags, 0 };
	int saved = errno;

	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 0, op_xattr, &c), saved);
}

RW_EXPORT int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
	struct xattr_change c = { name, value, size, flags, 0 };
	int saved = errno;

	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 1, op_xattr, &c), saved);
}

RW_EXPORT int fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)
{
	struct xattr_change c = { name, value, size, flags, 0 };
	int saved = errno;

	return rw_ret(rw_modify_fd(__func__, fd, op_xattr, &c), saved);
}

RW_EXPORT int removexattr(const char *path, const char *name)
{
	struct xattr_change c = { name, NULL, 0, 0, 1 };
	int saved = errno;

	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 0, op_xattr, &c), saved);
}

RW_EXPORT int lremovexattr(const char *path, const char *name)
{
	struct xattr_change c = { name, NULL, 0, 0, 1 };
	int saved = errno;

	return rw_ret(rw_modify_at(__func__, AT_FDCWD, path, 1, op_xattr, &c), saved);
}

RW_EXPORT int fremovexattr(int fd, const char *name)
{
	struct xattr_change c = { name, NULL, 0, 0, 1 };
	int saved = errno;

	return rw_ret(rw_modify_fd(__func__, fd, op_xattr, &c), saved);
}
