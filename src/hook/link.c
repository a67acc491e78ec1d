/* SPDX-License-Identifier: MIT */
/*
 * hook/link.c - links through the merged view: symlink and symlinkat
 * funnel into rw_symlinkat(), link and linkat into rw_linkat(), the
 * readlink spellings into rw_readlinkat(). A hard link to a read-only file
 * copies it up first; both names then share the copy. readlink maps the
 * storage paths that /proc/self/fd/N, /proc/self/cwd and /proc/self/exe
 * show for overlay entries back to the paths the program knows.
 */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/path.h"
#include "fs/copyup.h"
#include "fs/session.h"
#include "fs/view.h"
#include "fs/store.h"
#include "hook/create.h"
#include "hook/hook.h"

/* ---- symlink ----------------------------------------------------------------- */

static int make_symlink(int dirfd, const char *path, const struct rw_loc *upper, void *arg)
{
	const char *target = arg;
	int r;

	(void)upper;
	r = RW_REAL(symlinkat, (int)syscall(SYS_symlinkat, target, dirfd, path), target, dirfd,
		    path);
	return r < 0 ? -errno : 0;
}

int rw_symlinkat(const char *target, int dirfd, const char *path)
{
	/* The kernel reads the target before it looks at the new name. */
	if (target && !target[0])
		return -ENOENT;
	if (target && strnlen(target, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!target)
		return make_symlink(dirfd, path, NULL, NULL);
	return rw_make_at("symlink", dirfd, path, 0, make_symlink, (void *)target);
}

RW_EXPORT int symlink(const char *target, const char *path)
{
	int saved = errno;
	return rw_ret(rw_symlinkat(target, AT_FDCWD, path), saved);
}

RW_EXPORT int symlinkat(const char *target, int dirfd, const char *path)
{
	int saved = errno;
	return rw_ret(rw_symlinkat(target, dirfd, path), saved);
}

/* ---- link -------------------------------------------------------------------- */

/* The device of the real filesystem under virtual @path (@len bytes): that
 * of its nearest ancestor the real filesystem has. */
static dev_t lower_dev(const char *path, size_t len)
{
	char anc[PATH_MAX];
	const char *name;
	struct stat st;

	memcpy(anc, path, len);
	anc[len] = '\0';
	for (;;) {
		if (real_fstatat(AT_FDCWD, anc, &st, 0) == 0)
			return st.st_dev;
		if (len <= 1)
			return 0;
		len = rw_path_split(anc, len, &name);
		anc[len] = '\0';
	}
}

/* The device of the folder holding @loc in the merged view. */
static dev_t parent_dev(const struct rw_loc *loc)
{
	const char *name;

	return lower_dev(loc->path, rw_path_split(loc->path, loc->len, &name));
}

/*
 * The source of a redirected link. A descriptor (AT_EMPTY_PATH) or a name
 * the view does not handle (/proc/self/fd/N with AT_SYMLINK_FOLLOW) is
 * judged by the file it refers to: an overlay file, or an unnamed one on
 * the storage's filesystem (O_TMPFILE made in the overlay), is linked as
 * it is: returns 1. Otherwise @o is where the source lies in the merged
 * view: returns 0. Or -errno.
 */
static int link_source(int dirfd, const char *path, int flags, struct rw_loc *o)
{
	struct rw_vpath vp;
	struct stat st, up;
	int empty = (flags & AT_EMPTY_PATH) && !path[0];
	int follow = flags & AT_SYMLINK_FOLLOW;
	int fd = dirfd, named, r;

	if (!empty && (r = rw_view_abs(dirfd, path, &vp)) < 0)
		return r;
	if (empty || rw_view_quick(&vp) == RW_EXCLUDED) {
		if (!empty) {
			fd = real_openat(dirfd, path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
			if (fd < 0)
				return -errno;
		}
		r = 0;
		if (real_fstatat(fd, "", &st, AT_EMPTY_PATH) < 0 ||
		    (r = rw_store_stat("upper", &up)) < 0)
			r = r < 0 ? r : -errno;
		/* "." of a descriptor is its own file (an unnamed one has none). */
		named = r == 0 && rw_view_abs(fd, ".", &vp) == 0;
		if (!empty)
			real_close(fd);
		if (r < 0)
			return r;
		if (st.st_dev == up.st_dev && (st.st_nlink == 0 || (named && vp.stored)))
			return 1;
		/* An unnamed file elsewhere cannot join the overlay. */
		if (!named || st.st_nlink == 0)
			return -EXDEV;
		follow = 0;
	}
	r = rw_view_resolve(&vp, (follow ? RW_FOLLOW : 0) | RW_CANON, o);
	if (r < 0)
		return r;
	return o->layer == RW_NONE ? -ENOENT : 0;
}

/* The real filesystem refused new name @nv (with @err), or the merged view
 * says it belongs to the overlay: make it there. */
static int link_overlay(int odirfd, const char *opath, int flags, const struct rw_vpath *nv)
{
	char orel[PATH_MAX], nrel[PATH_MAX];
	struct rw_loc o, n;
	int r, direct;

	/* The kernel's order: the source, the new name, then the devices. */
	direct = link_source(odirfd, opath, flags, &o);
	if (direct < 0)
		return direct;
	r = rw_resolve_new(nv, RW_CANON, 0, &n);
	if (r < 0)
		return r;
	if (n.layer != RW_NONE)
		return -EEXIST;
	if (!direct) {
		/* Across real filesystems a writable copy would refuse too. */
		if ((o.layer == RW_LOWER ? o.st.st_dev : parent_dev(&o)) != parent_dev(&n))
			return -EXDEV;
		if (S_ISDIR(o.st.st_mode))
			return -EPERM;
		if (o.layer == RW_LOWER && (r = rw_copy_up(&o, 1)) < 0)
			return r;
		if (rw_view_upper_rel(o.path, o.len, orel, sizeof(orel)) < 0)
			return -ENAMETOOLONG;
	}
	if ((r = rw_view_make_parents(n.path, n.len)) < 0)
		return r;
	if (rw_view_upper_rel(n.path, n.len, nrel, sizeof(nrel)) < 0)
		return -ENAMETOOLONG;
	if ((r = rw_view_mark_new(n.path, n.len)) < 0)
		return r;
	if (direct) {
		const char *name;
		int dfd = rw_store_dir(nrel, &name);
		if (dfd < 0)
			return dfd;
		r = real_linkat(odirfd, opath, dfd, name, flags) < 0 ? -errno : 0;
		rw_store_close(dfd);
	} else {
		r = rw_store_link(orel, nrel);
	}
	if (r < 0)
		return r;
	if (n.whiteout)
		rw_view_unwhiteout(n.path, n.len);
	return 0;
}

static int link_redirected(int odirfd, const char *opath, int flags, const struct rw_vpath *nv,
			   int err)
{
	int r = rw_redirect_begin("link", nv, NULL, -1, err);

	if (r < 0)
		return r;
	return rw_redirect_end("link", nv, NULL, -1, link_overlay(odirfd, opath, flags, nv));
}

int rw_linkat(int odirfd, const char *opath, int ndirfd, const char *npath, int flags)
{
	struct rw_vpath ov, nv;
	struct rw_loc o, n;
	int r, e, oldlook = 0;

	if (!rw_ready() || !opath || !npath || (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))) {
		r = RW_REAL(linkat, (int)syscall(SYS_linkat, odirfd, opath, ndirfd, npath, flags), odirfd,
			    opath, ndirfd, npath, flags);
		return r < 0 ? -errno : 0;
	}
	if (rw_view_live() && !((flags & AT_EMPTY_PATH) && !opath[0]) &&
	    rw_view_abs(odirfd, opath, &ov) == 0 && rw_view_quick(&ov) == RW_LOOK)
		oldlook = 1;
	if (!oldlook && (!rw_view_live() || rw_view_abs(ndirfd, npath, &nv) < 0 ||
			 rw_view_quick(&nv) != RW_LOOK)) {
		/* Nothing of the overlay is near: the real call decides. */
		r = real_linkat(odirfd, opath, ndirfd, npath, flags);
		if (r == 0 || !rw_refused(errno))
			return r < 0 ? -errno : 0;
		e = errno;
		if (!npath[0] || rw_view_abs(ndirfd, npath, &nv) < 0)
			return -e;
		return link_redirected(odirfd, opath, flags, &nv, e);
	}
	if (oldlook) {
		r = rw_view_resolve(&ov, (flags & AT_SYMLINK_FOLLOW) ? RW_FOLLOW : 0, &o);
		if (r < 0)
			return r;
		if (o.layer == RW_NONE)
			return -ENOENT;
	}
	if ((r = rw_view_abs(ndirfd, npath, &nv)) < 0)
		return r;
	r = rw_resolve_new(&nv, 0, 0, &n);
	if (r < 0)
		return r;
	if (n.layer != RW_NONE)
		return -EEXIST;
	if ((!oldlook || (o.layer == RW_LOWER && !rw_view_protected(&ov))) && !n.hidden &&
	    !n.whiteout && !rw_view_protected(&nv)) {
		/* Both names are on the real filesystem: it decides first. */
		if (oldlook)
			r = real_linkat(AT_FDCWD, o.path, AT_FDCWD, n.path, 0);
		else
			r = real_linkat(odirfd, opath, AT_FDCWD, n.path, flags);
		if (r == 0)
			return 0;
		e = errno;
		if (!rw_refused(e) && e != ENOENT && e != ENOTDIR)
			return -e;
		return link_redirected(odirfd, opath, flags, &nv, e);
	}
	return link_redirected(odirfd, opath, flags, &nv, EROFS);
}

RW_EXPORT int link(const char *oldpath, const char *newpath)
{
	int saved = errno;
	return rw_ret(rw_linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0), saved);
}

RW_EXPORT int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		     int flags)
{
	int saved = errno;
	return rw_ret(rw_linkat(olddirfd, oldpath, newdirfd, newpath, flags), saved);
}

/* ---- readlink ---------------------------------------------------------------- */

ssize_t rw_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	char rel[PATH_MAX], tmp[PATH_MAX];
	struct rw_loc loc;
	ssize_t n;
	int r;

	/* Allocators read links while they start (jemalloc: /etc/malloc.conf),
	 * before our constructor ran: readlink never sets the library up
	 * itself (that forks the reaper), and until a session is joined there
	 * is nothing to look up or map back. */
	if (!size || !__atomic_load_n(&rw_sess.ix, __ATOMIC_ACQUIRE) || !rw_ready()) {
		n = RW_REAL(readlinkat, syscall(SYS_readlinkat, dirfd, path, buf, size), dirfd, path, buf,
			    size);
		return n < 0 ? -errno : n;
	}
	r = rw_look(dirfd, path, 0, &loc);
	if (r < 0)
		return r;
	if (r == 0) {
		n = real_readlinkat(dirfd, path, tmp, sizeof(tmp) - 1);
	} else if (loc.layer == RW_UPPER) {
		if (rw_view_upper_rel(loc.path, loc.len, rel, sizeof(rel)) < 0)
			return -ENAMETOOLONG;
		n = rw_store_readlink(rel, tmp, sizeof(tmp) - 1);
		if (n < 0)
			return n;
	} else {
		n = real_readlinkat(AT_FDCWD, loc.path, tmp, sizeof(tmp) - 1);
	}
	if (n < 0)
		return -errno;
	tmp[n] = '\0';
	/* The links of /proc/self (fd/N, cwd, exe) to overlay entries name the
	 * storage: give the path the program knows. */
	n = (ssize_t)rw_view_unmap(tmp, (size_t)n);
	if ((size_t)n > size)
		n = (ssize_t)size;
	memcpy(buf, tmp, (size_t)n);
	return n;
}

RW_EXPORT ssize_t readlink(const char *path, char *buf, size_t size)
{
	int saved = errno;
	return rw_ret((int)rw_readlinkat(AT_FDCWD, path, buf, size), saved);
}

RW_EXPORT ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	int saved = errno;
	return rw_ret((int)rw_readlinkat(dirfd, path, buf, size), saved);
}

/* FORTIFY: glibc checks the buffer, then calls its internal readlink, which
 * no hook sees. A bad size goes to glibc's own check, which aborts. */
RW_EXPORT ssize_t __readlink_chk(const char *path, char *buf, size_t size, size_t buflen)
{
	int saved = errno;

	if (size > buflen) {
		rw_ready();
		return real___readlink_chk ? real___readlink_chk(path, buf, size, buflen)
					   : rw_enosys();
	}
	return rw_ret((int)rw_readlinkat(AT_FDCWD, path, buf, size), saved);
}

RW_EXPORT ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t size,
				   size_t buflen)
{
	int saved = errno;

	if (size > buflen) {
		rw_ready();
		return real___readlinkat_chk ? real___readlinkat_chk(dirfd, path, buf, size, buflen)
					     : rw_enosys();
	}
	return rw_ret((int)rw_readlinkat(dirfd, path, buf, size), saved);
}
