/* SPDX-License-Identifier: MIT */
/*
 * hook/create.c - making one new name through the merged view (see
 * create.h): the shape mkdir, symlink, link, mknod and bind share.
 */
#include <string.h>

#include "fs/session.h"
#include "fs/view.h"
#include "fs/store.h"
#include "hook/create.h"
#include "hook/hook.h"

long rw_at_name(int dirfd, const char *path, char *out, size_t outsz)
{
	char head[32];
	size_t hl = 0, pl = strlen(path);

	if (dirfd != AT_FDCWD && path[0] != '/') {
		hl = rw_fd_name(dirfd, head);
		head[hl++] = '/';
	}
	if (hl + pl + 1 > outsz)
		return -ENAMETOOLONG;
	memcpy(out, head, hl);
	memcpy(out + hl, path, pl + 1);
	return (long)(hl + pl);
}

int rw_resolve_new(const struct rw_vpath *vp, int flags, int folder, struct rw_loc *loc)
{
	int r;

	/* A new name is never followed: an existing link there is EEXIST. */
	flags &= ~RW_FOLLOW;
	if (!vp->trailing)
		return rw_view_resolve(vp, flags, loc);
	/* "name/": the kernel looks the name up without demanding a folder,
	 * and refuses to make anything but a folder there. */
	r = rw_view_resolve_path(vp->abs, vp->len, flags, loc);
	if (r == 0 && loc->layer == RW_NONE && !folder)
		return -ENOENT;
	return r;
}

/* Make the entry at @loc in the storage with @op. Not inlined: its storage
 * path is on the stack only while it makes it. */
static __attribute__((noinline)) int make_in_store(struct rw_loc *loc, rw_make_op op, void *arg)
{
	char rel[PATH_MAX];
	const char *name;
	int r, dfd;

	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	/* Marks first: a process that sees the entry sees its marks. */
	if ((r = rw_view_mark_new(loc->path, loc->len)) < 0)
		return r;
	if ((dfd = rw_store_dir(rel, &name)) < 0)
		return dfd;
	r = op(dfd, name, loc, arg);
	rw_store_close(dfd);
	return r;
}

/* Make @vp in the overlay with @op. @loc is the caller's, no longer needed:
 * the canonical walk goes there rather than into a second one. */
static int make_overlay(const struct rw_vpath *vp, int folder, rw_make_op op, void *arg,
			struct rw_loc *loc)
{
	int r = rw_resolve_new(vp, RW_CANON, folder, loc);

	if (r < 0)
		return r;
	if (loc->layer != RW_NONE)
		return -EEXIST;
	if (!loc->parent_upper && (r = rw_view_make_parents(loc->path, loc->len)) < 0)
		return r;
	r = make_in_store(loc, op, arg);
	if (r == 0 && loc->whiteout)
		rw_view_unwhiteout(loc->path, loc->len);
	return r;
}

static int make_redirected(const char *call, const struct rw_vpath *vp, int folder, rw_make_op op,
			   void *arg, int err, struct rw_loc *loc)
{
	int r = rw_redirect_begin(call, vp, NULL, -1, err);

	if (r < 0)
		return r;
	return rw_redirect_end(call, vp, NULL, -1, make_overlay(vp, folder, op, arg, loc));
}

int rw_make_redirected(const char *call, const struct rw_vpath *vp, int folder, rw_make_op op,
		       void *arg, int err)
{
	struct rw_loc loc;

	return make_redirected(call, vp, folder, op, arg, err, &loc);
}

int rw_make_at(const char *call, int dirfd, const char *path, int folder, rw_make_op op,
	       void *arg)
{
	struct rw_vpath vp;
	struct rw_loc loc;
	int r;

	if (!rw_ready() || !path || !path[0] || !rw_view_live() ||
	    rw_view_abs(dirfd, path, &vp) < 0 || rw_view_quick(&vp) != RW_LOOK) {
		/* Nothing of the overlay is near: the real call decides. */
		r = op(dirfd, path, NULL, arg);
		if (r == 0 || !rw_ready() || !path || !path[0] || !rw_refused(-r) ||
		    rw_view_abs(dirfd, path, &vp) < 0)
			return r;
		return make_redirected(call, &vp, folder, op, arg, -r, &loc);
	}
	r = rw_resolve_new(&vp, 0, folder, &loc);
	if (r < 0)
		return r;
	if (loc.layer != RW_NONE)
		return -EEXIST;
	if (loc.hidden || loc.whiteout || rw_view_protected(&vp))
		return make_redirected(call, &vp, folder, op, arg, EROFS, &loc);
	r = op(AT_FDCWD, loc.path, NULL, arg);
	if (r == 0)
		return 0;
	/* A new name in a folder that only the overlay has fails below with
	 * ENOENT: it belongs in the overlay too. */
	if (rw_refused(-r) || r == -ENOENT || r == -ENOTDIR)
		return make_redirected(call, &vp, folder, op, arg, -r, &loc);
	return r;
}
