/* SPDX-License-Identifier: MIT */
/*
 * hook/remove.c - unlink, rmdir and rename, funnelled into rw_unlinkat()
 * and rw_renameat2(). Deleting a lower entry leaves a whiteout; renaming
 * moves the overlay's copy and whites out the old name.
 */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/path.h"
#include "fs/copyup.h"
#include "fs/session.h"
#include "fs/view.h"
#include "fs/store.h"
#include "hook/hook.h"

/* Remove upper folder @rel together with the whiteouts it holds. */
static int remove_upper_dir(const char *rel)
{
	char buf[2048];
	int fd = rw_store_open(rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	long n, off;

	if (fd < 0)
		return fd;
	while ((n = real_getdents64(fd, buf, sizeof(buf))) > 0)
		for (off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			/* rw_view_dir_nonempty() made sure only markers are left. */
			if (!strncmp(d->d_name, ".wh.", 4))
				real_unlinkat(fd, d->d_name, 0);
		}
	real_close(fd);
	return rw_store_unlink(rel, AT_REMOVEDIR);
}

/* Remove the overlay's entry at @loc. Not inlined: its storage path is on
 * the stack only while it removes. */
static __attribute__((noinline)) int unlink_upper(const struct rw_loc *loc, int isdir)
{
	char rel[PATH_MAX];

	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	return isdir ? remove_upper_dir(rel) : rw_store_unlink(rel, 0);
}

/* @loc is the caller's, no longer needed: the canonical walk goes there
 * rather than into a second one on the stack. */
static int unlink_overlay(const struct rw_vpath *vp, int flags, struct rw_loc *loc)
{
	int r = rw_view_resolve(vp, RW_CANON, loc), isdir, lower;

	if (r < 0)
		return r;
	if (loc->layer == RW_NONE)
		return -ENOENT;
	isdir = S_ISDIR(loc->st.st_mode);
	if ((flags & AT_REMOVEDIR) && !isdir)
		return -ENOTDIR;
	if (!(flags & AT_REMOVEDIR) && isdir)
		return -EISDIR;
	if (isdir && loc->len == 1)
		return -EBUSY;
	if (isdir && (r = rw_view_dir_nonempty(loc)) != 0)
		return r < 0 ? r : -ENOTEMPTY;
	lower = rw_view_lower_exists(loc);
	/* Whiteout first: the name never shows the lower entry again. */
	if (lower && (r = rw_view_whiteout(loc->path, loc->len)) < 0)
		return r;
	if (loc->layer == RW_UPPER || loc->layer == RW_MERGED) {
		r = unlink_upper(loc, isdir);
		if (r < 0)
			return r;
	}
	return 0;
}

static int unlink_redirected(const struct rw_vpath *vp, int flags, int err, struct rw_loc *loc)
{
	const char *call = (flags & AT_REMOVEDIR) ? "rmdir" : "unlink";
	int r = rw_redirect_begin(call, vp, NULL, -1, err);

	if (r < 0)
		return r;
	r = unlink_overlay(vp, flags, loc);
	rw_view_changed();
	return rw_redirect_end(call, vp, NULL, -1, r);
}

int rw_unlinkat(int dirfd, const char *path, int flags)
{
	struct rw_vpath vp;
	struct rw_loc loc;
	int r, e;

	if (!rw_ready() || !path) {
		r = RW_REAL(unlinkat, (int)syscall(SYS_unlinkat, dirfd, path, flags), dirfd, path, flags);
		return r < 0 ? -errno : r;
	}
	if (!rw_view_live() || rw_view_abs(dirfd, path, &vp) < 0 || rw_view_quick(&vp) != RW_LOOK) {
		r = real_unlinkat(dirfd, path, flags);
		if (r == 0 || !rw_refused(errno))
			return r < 0 ? -errno : 0;
		e = errno;
		if (rw_view_abs(dirfd, path, &vp) < 0)
			return -e;
		return unlink_redirected(&vp, flags, e, &loc);
	}
	r = rw_view_resolve(&vp, 0, &loc);
	if (r < 0)
		return r;
	if (loc.layer == RW_NONE)
		return -ENOENT;
	if (loc.layer != RW_LOWER || rw_view_protected(&vp))
		return unlink_redirected(&vp, flags, EROFS, &loc);
	r = real_unlinkat(AT_FDCWD, loc.path, flags);
	if (r == 0 || !rw_refused(errno))
		return r < 0 ? -errno : 0;
	return unlink_redirected(&vp, flags, errno, &loc);
}

RW_EXPORT int unlink(const char *path)
{
	int saved = errno;
	return rw_ret(rw_unlinkat(AT_FDCWD, path, 0), saved);
}

RW_EXPORT int unlinkat(int dirfd, const char *path, int flags)
{
	int saved = errno;
	return rw_ret(rw_unlinkat(dirfd, path, flags), saved);
}

RW_EXPORT int rmdir(const char *path)
{
	int saved = errno;
	return rw_ret(rw_unlinkat(AT_FDCWD, path, AT_REMOVEDIR), saved);
}

/* ---- rename ------------------------------------------------------------------ */

/* The move itself, in the storage: a function of its own so that its two
 * storage paths are not on the stack while rename_overlay copies up. */
static __attribute__((noinline)) int rename_in_store(const struct rw_loc *o, const struct rw_loc *n,
						    int clear_dir, unsigned int flags)
{
	char orel[PATH_MAX], nrel[PATH_MAX];
	int r;

	if (rw_view_upper_rel(o->path, o->len, orel, sizeof(orel)) < 0 ||
	    rw_view_upper_rel(n->path, n->len, nrel, sizeof(nrel)) < 0)
		return -ENAMETOOLONG;
	if ((r = rw_view_mark_new(n->path, n->len)) < 0 ||
	    ((flags & RENAME_EXCHANGE) && (r = rw_view_mark_new(o->path, o->len)) < 0))
		return r;
	/* An empty folder being replaced may still hold whiteouts in the overlay. */
	if (clear_dir && (r = remove_upper_dir(nrel)) < 0 && r != -ENOENT)
		return r;
	return rw_store_rename(orel, nrel, flags & RENAME_EXCHANGE);
}

/* @o and @n are the caller's, no longer needed: the canonical walks go
 * there rather than into two more on the stack. */
static int rename_overlay(const struct rw_vpath *ov, const struct rw_vpath *nv, unsigned int flags,
			  struct rw_loc *o, struct rw_loc *n)
{
	int r, lower_old, odir;

	if ((r = rw_view_resolve(ov, RW_CANON, o)) < 0 || (r = rw_view_resolve(nv, RW_CANON, n)) < 0)
		return r;
	if (o->layer == RW_NONE)
		return -ENOENT;
	if (o->len == n->len && !memcmp(o->path, n->path, o->len))
		return 0;
	odir = S_ISDIR(o->st.st_mode);
	if (odir && n->len > o->len && rw_path_has_prefix(n->path, n->len, o->path, o->len))
		return -EINVAL;
	if (n->layer != RW_NONE) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (!(flags & RENAME_EXCHANGE)) {
			if (S_ISDIR(n->st.st_mode) && !odir)
				return -EISDIR;
			if (!S_ISDIR(n->st.st_mode) && odir)
				return -ENOTDIR;
			if (S_ISDIR(n->st.st_mode) && (r = rw_view_dir_nonempty(n)) != 0)
				return r < 0 ? r : -ENOTEMPTY;
		}
	} else if (flags & RENAME_EXCHANGE) {
		return -ENOENT;
	}
	lower_old = rw_view_lower_exists(o);
	/* A folder with read-only content moves whole: copy all of it into the
	 * overlay first (never EXDEV within one merged view). */
	if (odir && o->layer != RW_UPPER) {
		if ((r = rw_copy_up_tree(o)) < 0)
			return r;
		o->layer = RW_UPPER;
	}
	if ((flags & RENAME_EXCHANGE) && S_ISDIR(n->st.st_mode) && n->layer != RW_UPPER) {
		if ((r = rw_copy_up_tree(n)) < 0)
			return r;
		n->layer = RW_UPPER;
	}
	if (o->layer == RW_LOWER && (r = rw_copy_up(o, 1)) < 0)
		return r;
	if ((flags & RENAME_EXCHANGE) && n->layer == RW_LOWER && (r = rw_copy_up(n, 1)) < 0)
		return r;
	if ((r = rw_view_make_parents(n->path, n->len)) < 0)
		return r;
	r = rename_in_store(o, n,
			    odir && (n->layer == RW_UPPER || n->layer == RW_MERGED) &&
				    !(flags & RENAME_EXCHANGE),
			    flags);
	if (r < 0)
		return r;
	/* A moved folder holds all its content in the overlay now, and the index
	 * knows its entries by their old names: opaque, it is looked up on disk
	 * alone and hides whatever lower folder had its new name. */
	if (odir)
		rw_view_make_opaque(n->path, n->len);
	if ((flags & RENAME_EXCHANGE) && S_ISDIR(n->st.st_mode))
		rw_view_make_opaque(o->path, o->len);
	if (n->whiteout)
		rw_view_unwhiteout(n->path, n->len);
	if (lower_old && !(flags & RENAME_EXCHANGE))
		return rw_view_whiteout(o->path, o->len);
	return 0;
}

static int rename_redirected(const struct rw_vpath *ov, const struct rw_vpath *nv,
			     unsigned int flags, int err, struct rw_loc *o, struct rw_loc *n)
{
	int r;

	/* Both names must be ones the overlay may take. */
	if (rw_view_quick(nv) == RW_EXCLUDED && !rw_cfg.audit)
		return -err;
	r = rw_redirect_begin("rename", ov, nv, -1, err);
	if (r < 0)
		return r;
	r = rename_overlay(ov, nv, flags, o, n);
	rw_view_changed();
	return rw_redirect_end("rename", ov, nv, -1, r);
}

/* One of the names may be in the overlay. Where both are only on the real
 * filesystem, that decides first: a write it takes must stay there. */
static __attribute__((noinline)) int rename_looked(const struct rw_vpath *ov, const struct rw_vpath *nv, unsigned int flags)
{
	struct rw_loc o, n;
	int r;

	if ((r = rw_view_resolve(ov, 0, &o)) < 0 || (r = rw_view_resolve(nv, 0, &n)) < 0)
		return r;
	if (o.layer == RW_NONE)
		return -ENOENT;
	if (o.layer == RW_LOWER && (n.layer == RW_LOWER || (n.layer == RW_NONE && !n.hidden && !n.whiteout)) &&
	    !rw_view_protected(ov) && !rw_view_protected(nv)) {
		r = real_renameat2(AT_FDCWD, o.path, AT_FDCWD, n.path, flags);
		if (r == 0)
			return 0;
		if (!rw_refused(errno) && errno != ENOENT && errno != ENOTDIR)
			return -errno;
		return rename_redirected(ov, nv, flags, rw_refused(errno) ? errno : EROFS, &o, &n);
	}
	return rename_redirected(ov, nv, flags, EROFS, &o, &n);
}

/* Refused where nothing was looked up first: the walks' buffers are this
 * function's, so they are not on the stack of the rename that passes. */
static __attribute__((noinline)) int rename_unlooked(const struct rw_vpath *ov,
						     const struct rw_vpath *nv, unsigned int flags,
						     int err)
{
	struct rw_loc o, n;

	return rename_redirected(ov, nv, flags, err, &o, &n);
}

int rw_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		 unsigned int flags)
{
	struct rw_vpath ov, nv;
	int r, e;

	if (!rw_ready() || !oldpath || !newpath) {
		r = RW_REAL(renameat2,
			    (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags),
			    olddirfd, oldpath, newdirfd, newpath, flags);
		return r < 0 ? -errno : r;
	}
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
		r = real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
		return r < 0 ? -errno : r;
	}
	if (!rw_view_live() || rw_view_abs(olddirfd, oldpath, &ov) < 0 ||
	    rw_view_abs(newdirfd, newpath, &nv) < 0 ||
	    (rw_view_quick(&ov) != RW_LOOK && rw_view_quick(&nv) != RW_LOOK)) {
		r = real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
		if (r == 0 || !rw_refused(errno))
			return r < 0 ? -errno : 0;
		e = errno;
		if (rw_view_abs(olddirfd, oldpath, &ov) < 0 || rw_view_abs(newdirfd, newpath, &nv) < 0)
			return -e;
		return rename_unlooked(&ov, &nv, flags, e);
	}
	return rename_looked(&ov, &nv, flags);
}

RW_EXPORT int rename(const char *oldpath, const char *newpath)
{
	int saved = errno;
	return rw_ret(rw_renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0), saved);
}

RW_EXPORT int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	int saved = errno;
	return rw_ret(rw_renameat2(olddirfd, oldpath, newdirfd, newpath, 0), saved);
}

RW_EXPORT int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
			unsigned int flags)
{
	int saved = errno;
	return rw_ret(rw_renameat2(olddirfd, oldpath, newdirfd, newpath, flags), saved);
}
