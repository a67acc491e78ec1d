/* SPDX-License-Identifier: MIT */
/*
 * hook/common.c - the shapes most hooks share: looking an entry up in the
 * merged view, and changing an existing entry with copy-up.
 */
#include <string.h>
#include <unistd.h>

#include "fs/copyup.h"
#include "fs/log.h"
#include "fs/msg.h"
#include "fs/session.h"
#include "fs/view.h"
#include "fs/store.h"
#include "hook/hook.h"

int rw_look(int dirfd, const char *path, int follow, struct rw_loc *loc)
{
	struct rw_vpath vp;
	int r;

	if (!rw_ready() || !path || !rw_view_live())
		return 0;
	if (!path[0] || rw_view_abs(dirfd, path, &vp) < 0 || rw_view_quick(&vp) != RW_LOOK)
		return 0;
	r = rw_view_resolve(&vp, follow ? RW_FOLLOW : 0, loc);
	if (r < 0)
		return r;
	return loc->layer == RW_NONE ? -ENOENT : 1;
}

int rw_redirect_begin(const char *call, const struct rw_vpath *vp, const struct rw_vpath *to,
		      int flags, int err)
{
	int r;

	if (rw_cfg.audit) {
		rw_log_call(call, vp->abs, to ? to->abs : NULL, flags, -err, 1);
		return -err;
	}
	if (rw_view_quick(vp) == RW_EXCLUDED)
		return -err;
	r = rw_session_storage();
	if (r < 0)
		return r == -ENOSPC ? r : -err;
	return 0;
}

int rw_redirect_end(const char *call, const struct rw_vpath *vp, const struct rw_vpath *to,
		    int flags, int result)
{
	if (result == -ENOSPC || result == -EDQUOT)
		rw_say_once(RW_WARN_NOSPACE, "the storage folder ", rw_sess.path,
			    " is out of space: writes that do not fit fail with ENOSPC", (char *)NULL);
	if (rw_cfg.log)
		rw_log_call(call, vp->abs, to ? to->abs : NULL, flags, result, 0);
	return result;
}

/* Act on @loc in the overlay: its storage path relative to the session. */
static int op_upper(const struct rw_loc *loc, rw_at_op op, void *arg)
{
	char rel[PATH_MAX];
	const char *name;
	int dfd, r;

	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	if ((dfd = rw_store_dir(rel, &name)) < 0)
		return dfd;
	/* The walk followed what was to be followed: the entry itself now. */
	r = op(dfd, name, AT_SYMLINK_NOFOLLOW, arg);
	rw_store_close(dfd);
	return r;
}

static int modify_overlay(const struct rw_vpath *vp, int nofollow, rw_at_op op, void *arg)
{
	struct rw_loc loc;
	int r = rw_view_resolve(vp, (nofollow ? 0 : RW_FOLLOW) | RW_CANON, &loc);

	if (r < 0)
		return r;
	if (loc.layer == RW_NONE)
		return -ENOENT;
	if (loc.layer == RW_LOWER && (r = rw_copy_up(&loc, 1)) < 0)
		return r;
	return op_upper(&loc, op, arg);
}

static int modify_redirected(const char *call, const struct rw_vpath *vp, int nofollow, rw_at_op op,
			     void *arg, int err)
{
	int r = rw_redirect_begin(call, vp, NULL, -1, err);

	if (r < 0)
		return r;
	return rw_redirect_end(call, vp, NULL, -1, modify_overlay(vp, nofollow, op, arg));
}

int rw_modify_at(const char *call, int dirfd, const char *path, int nofollow, rw_at_op op,
		 void *arg)
{
	int flags = nofollow ? AT_SYMLINK_NOFOLLOW : 0;
	struct rw_vpath vp;
	struct rw_loc loc;
	int r;

	if (!rw_ready() || !path || !rw_view_live() || !path[0] ||
	    rw_view_abs(dirfd, path, &vp) < 0 || rw_view_quick(&vp) != RW_LOOK) {
		r = op(dirfd, path, flags, arg);
		if (r >= 0 || !rw_ready() || !path || !path[0] || !rw_refused(-r) ||
		    rw_view_abs(dirfd, path, &vp) < 0)
			return r;
		return modify_redirected(call, &vp, nofollow, op, arg, -r);
	}
	r = rw_view_resolve(&vp, nofollow ? 0 : RW_FOLLOW, &loc);
	if (r < 0)
		return r;
	if (loc.layer == RW_NONE)
		return -ENOENT;
	if (loc.layer == RW_UPPER)
		return op_upper(&loc, op, arg);
	if (!rw_view_protected(&vp)) {
		/* Lower, or a merged folder: the real filesystem decides first. */
		r = op(AT_FDCWD, loc.path, AT_SYMLINK_NOFOLLOW, arg);
		if (r >= 0 || !rw_refused(-r))
			return r;
	}
	if (loc.layer == RW_MERGED)
		return op_upper(&loc, op, arg);
	return modify_redirected(call, &vp, nofollow, op, arg, r < 0 ? -r : EROFS);
}

int rw_modify_fd(const char *call, int fd, rw_at_op op, void *arg)
{
	struct rw_vpath vp;
	int r = op(fd, "", AT_EMPTY_PATH, arg);

	if (r >= 0 || !rw_ready() || !rw_refused(-r))
		return r;
	/* "" relative to the descriptor is the descriptor's own path. */
	if (rw_view_abs(fd, ".", &vp) < 0)
		return r;
	return modify_redirected(call, &vp, 1, op, arg, -r);
}
