/* SPDX-License-Identifier: MIT */
/*
 * hook/walk.c - the walkers and listers glibc builds on internal calls that
 * never reach a hook (__opendir, __lstat, __fchdir): scandir and scandirat,
 * glob (the real one, given the merged view's opendir, readdir and stat as
 * GLOB_ALTDIRFUNC), ftw and nftw (rwshim's own walker), and the calls on an
 * open listing: getdents64 on a descriptor, telldir, seekdir, readdir_r.
 * fts is in hook/fts.c.
 *
 * Heap memory is taken only where the function's contract takes it
 * (scandir's list, the walkers' copies of paths and listings), as glibc's
 * own versions do. Before the library is set up, or without a session,
 * every call goes to libc.
 */
#include <ftw.h>
#include <glob.h>
#include <search.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/dirmerge.h"
#include "fs/session.h"
#include "fs/view.h"
#include "hook/calls.h"
#include "hook/hook.h"

_Static_assert(sizeof(struct dirent) == sizeof(struct dirent64), "dirent64 differs from dirent");
_Static_assert(sizeof(glob_t) == sizeof(glob64_t), "glob64_t differs from glob_t");

dev_t rw_walk_dev(const struct stat *st, dev_t parent)
{
	static dev_t storage;
	static int known;
	struct stat s;

	if (!rw_sess.ix)
		return st->st_dev;
	if (!__atomic_load_n(&known, __ATOMIC_ACQUIRE)) {
		if (real_fstatat(rw_sess.fd, "", &s, AT_EMPTY_PATH) < 0)
			return st->st_dev;
		storage = s.st_dev;
		__atomic_store_n(&known, 1, __ATOMIC_RELEASE);
	}
	return st->st_dev == storage ? parent : st->st_dev;
}

/* ---- scandir --------------------------------------------------------------- */

typedef int (*scan_select)(const struct dirent *);
typedef int (*scan_compare)(const struct dirent **, const struct dirent **);

/* List folder @path (relative to @dirfd) into a new array *@out, keeping
 * what @sel accepts, sorted with @cmp. Returns the count or -errno. */
static int scan(int dirfd, const char *path, struct dirent ***out, scan_select sel,
		scan_compare cmp)
{
	struct dirent **v = NULL, **nv, *e, *c;
	size_t n = 0, cap = 0, i, need, size;
	int err = 0;
	DIR *d = rw_dir_openat(dirfd, path, &err);

	if (!d)
		return err;
	for (;;) {
		errno = 0;
		e = rw_dir_next(d, 0);
		if (!e) {
			err = -errno;
			break;
		}
		if (sel) {
			int use = sel(e);
			/* The selector may have left anything in errno. */
			errno = 0;
			if (!use)
				continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				err = -ENOMEM;
				break;
			}
			v = nv;
		}
		need = offsetof(struct dirent, d_name) + strlen(e->d_name) + 1;
		size = e->d_reclen > need ? e->d_reclen : need;
		c = malloc(size);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		memcpy(c, e, need);
		c->d_reclen = (unsigned short)size;
		v[n++] = c;
	}
	rw_dir_close(d);
	real_closedir(d);
	if (!err && n > INT_MAX)
		err = -EOVERFLOW;
	if (err) {
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return err;
	}
	if (cmp && n > 1)
		qsort(v, n, sizeof(*v), (int (*)(const void *, const void *))cmp);
	*out = v;
	return (int)n;
}

RW_EXPORT int scandir(const char *path, struct dirent ***out, scan_select sel, scan_compare cmp)
{
	int saved = errno;

	if (!rw_ready())
		return RW_REAL(scandir, (int)rw_enosys(), path, out, sel, cmp);
	return rw_ret(scan(AT_FDCWD, path, out, sel, cmp), saved);
}

RW_EXPORT int scandirat(int dirfd, const char *path, struct dirent ***out, scan_select sel,
			scan_compare cmp)
{
	int saved = errno;

	if (!rw_ready())
		return RW_REAL(scandirat, (int)rw_enosys(), dirfd, path, out, sel, cmp);
	return rw_ret(scan(dirfd, path, out, sel, cmp), saved);
}

/* On the 64-bit targets rwshim builds for, dirent64 is dirent. */
#ifdef __GLIBC__ /* musl: the *64 names are macros for the plain ones */
RW_EXPORT int scandir64(const char *path, struct dirent64 ***out,
			int (*sel)(const struct dirent64 *),
			int (*cmp)(const struct dirent64 **, const struct dirent64 **))
{
	int saved = errno;

	if (!rw_ready())
		return RW_REAL(scandir64, (int)rw_enosys(), path, out, sel, cmp);
	return rw_ret(scan(AT_FDCWD, path, (struct dirent ***)out, (scan_select)sel,
			   (scan_compare)cmp),
		      saved);
}

RW_EXPORT int scandirat64(int dirfd, const char *path, struct dirent64 ***out,
			  int (*sel)(const struct dirent64 *),
			  int (*cmp)(const struct dirent64 **, const struct dirent64 **))
{
	int saved = errno;

	if (!rw_ready())
		return RW_REAL(scandirat64, (int)rw_enosys(), dirfd, path, out, sel, cmp);
	return rw_ret(scan(dirfd, path, (struct dirent ***)out, (scan_select)sel, (scan_compare)cmp),
		      saved);
}
#endif

/* ---- glob ------------------------------------------------------------------ */

#ifdef GLOB_ALTDIRFUNC /* musl's glob takes no GLOB_ALTDIRFUNC */
/* The merged view's listing and stat, as glob's GLOB_ALTDIRFUNC hooks. They
 * run inside glob, which reads errno after a failure. */
static void *glob_opendir(const char *path)
{
	int err = 0;
	DIR *d = rw_dir_openat(AT_FDCWD, path, &err);

	if (!d)
		errno = -err;
	return d;
}

static struct dirent *glob_readdir(void *d)
{
	return rw_dir_next(d, 0);
}

static void glob_closedir(void *d)
{
	rw_dir_close(d);
	real_closedir(d);
}

static int glob_stat(const char *path, struct stat *st)
{
	int saved = errno;
	return rw_ret(rw_fstatat(AT_FDCWD, path, st, 0), saved);
}

static int glob_lstat(const char *path, struct stat *st)
{
	int saved = errno;
	return rw_ret(rw_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW), saved);
}

typedef int (*glob_fn)(const char *, int, int (*)(const char *, int), void *);

/* Run glob @real with the merged view's hooks, unless the caller brought
 * its own (GLOB_ALTDIRFUNC), which call our hooks anyway. */
static int glob_common(glob_fn real, const char *pattern, int flags,
		       int (*errfunc)(const char *, int), glob_t *g)
{
	int r;

	if (!real)
		return GLOB_ABORTED;
	if (!rw_ready() || (flags & GLOB_ALTDIRFUNC))
		return real(pattern, flags, errfunc, g);
	g->gl_opendir = glob_opendir;
	g->gl_readdir = glob_readdir;
	g->gl_closedir = glob_closedir;
	g->gl_stat = glob_stat;
	g->gl_lstat = glob_lstat;
	r = real(pattern, flags | GLOB_ALTDIRFUNC, errfunc, g);
	/* The program asked for no GLOB_ALTDIRFUNC. */
	g->gl_flags &= ~GLOB_ALTDIRFUNC;
	return r;
}

#ifdef RW_OLD_GLIBC
static void *real_glob_old, *real_glob64_old;

/* glob@GLIBC_2.2.5 runs gl_stat where the newer one runs gl_lstat (a
 * dangling symlink matches nothing): the old real glob keeps doing so. */
RW_EXPORT int rw_sv_glob_old(const char *pattern, int flags, int (*errfunc)(const char *, int),
			     glob_t *g)
{
	return glob_common((glob_fn)rw_real_version("glob", RW_OLD_GLIBC, &real_glob_old), pattern,
			   flags, errfunc, g);
}
RW_SYMVER(rw_sv_glob_old, "glob@GLIBC_2.2.5");

RW_EXPORT int rw_sv_glob64_old(const char *pattern, int flags, int (*errfunc)(const char *, int),
			       glob64_t *g)
{
	return glob_common((glob_fn)rw_real_version("glob64", RW_OLD_GLIBC, &real_glob64_old),
			   pattern, flags, errfunc, (glob_t *)g);
}
RW_SYMVER(rw_sv_glob64_old, "glob64@GLIBC_2.2.5");

RW_EXPORT int rw_sv_glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
			 glob_t *g)
{
	rw_ready();
	return glob_common(real_glob, pattern, flags, errfunc, g);
}
RW_SYMVER(rw_sv_glob, "glob@@GLIBC_2.27");

RW_EXPORT int rw_sv_glob64(const char *pattern, int flags, int (*errfunc)(const char *, int),
			   glob64_t *g)
{
	rw_ready();
	return glob_common(real_glob64, pattern, flags, errfunc, (glob_t *)g);
}
RW_SYMVER(rw_sv_glob64, "glob64@@GLIBC_2.27");
#else
RW_EXPORT int glob(const char *pattern, int flags, int (*errfunc)(const char *, int), glob_t *g)
{
	rw_ready();
	return glob_common(real_glob, pattern, flags, errfunc, g);
}

RW_EXPORT int glob64(const char *pattern, int flags, int (*errfunc)(const char *, int), glob64_t *g)
{
	rw_ready();
	return glob_common(real_glob64, pattern, flags, errfunc, (glob_t *)g);
}
#endif
#endif /* GLOB_ALTDIRFUNC */

/* ---- ftw and nftw ---------------------------------------------------------------- */

typedef int (*nftw_fn)(const char *, const struct stat *, int, struct FTW *);
typedef int (*ftw_fn)(const char *, const struct stat *, int);

#ifndef FTW_ACTIONRETVAL /* musl: no GNU extensions to nftw, so none is asked for */
#define FTW_ACTIONRETVAL 0
#define FTW_SKIP_SUBTREE 2
#define FTW_SKIP_SIBLINGS 3
#endif
#define NFTW_FLAGS (FTW_PHYS | FTW_MOUNT | FTW_CHDIR | FTW_DEPTH | FTW_ACTIONRETVAL)

/* One walk. Every call of ours uses @abs, the entry as an absolute path in
 * the merged view, so neither FTW_CHDIR nor a callback that changes the
 * working folder moves it; the callback gets @path, built from what the
 * program passed, as glibc builds it. */
struct walk {
	nftw_fn nfn; /* nftw's callback, or NULL for ftw's */
	ftw_fn ffn;
	int flags;
	int err;    /* the errno of a walk that failed (-1 returned) */
	dev_t dev;  /* the device of the start, for FTW_MOUNT */
	void *seen; /* folders visited, without FTW_PHYS (tsearch) */
	char *path;
	size_t cap;
	char abs[PATH_MAX];
};

struct seen_id {
	dev_t dev;
	ino_t ino;
};

static int seen_cmp(const void *a, const void *b)
{
	const struct seen_id *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Return 1 if folder @st was visited, else remember it and return 0 (or
 * -1 when memory runs out). */
static int seen_before(struct walk *w, const struct stat *st)
{
	struct seen_id key = { st->st_dev, st->st_ino }, *id, **found;

	if (tfind(&key, &w->seen, seen_cmp))
		return 1;
	id = malloc(sizeof(*id));
	if (!id)
		return -1;
	*id = key;
	found = tsearch(id, &w->seen, seen_cmp);
	if (!found) {
		free(id);
		return -1;
	}
	return 0;
}

static int walk_fail(struct walk *w, int neg_errno)
{
	w->err = -neg_errno;
	return -1;
}

/* Call the program's function for the entry in w->path. */
static int walk_call(struct walk *w, const struct stat *st, int flag, int level, int base)
{
	struct FTW f = { base, level };

	if (w->nfn)
		return w->nfn(w->path, st, flag, &f);
	/* ftw knows fewer kinds: a link it cannot follow is "not stat'able". */
	if (flag == FTW_SLN)
		flag = FTW_NS;
	else if (flag == FTW_SL)
		flag = FTW_F;
	else if (flag == FTW_DP)
		flag = FTW_D;
	return w->ffn(w->path, st, flag);
}

/* What a callback's answer means for the walk: 0 to go on, else stop
 * (FTW_SKIP_SIBLINGS is left for the folder around to act on). */
static int walk_outcome(const struct walk *w, int r)
{
	if ((w->flags & FTW_ACTIONRETVAL) && r == FTW_SKIP_SUBTREE)
		return 0;
	return r;
}

/* Append "/" and @name (@nlen bytes) to both paths; 0 or -1 (w->err set). */
static int walk_push(struct walk *w, size_t *plen, size_t *alen, const char *name, size_t nlen)
{
	size_t p = *plen, a = *alen;

	if (p + nlen + 2 > w->cap) {
		size_t cap = (p + nlen + 2) * 2;
		char *np = realloc(w->path, cap);
		if (!np)
			return walk_fail(w, -ENOMEM);
		w->path = np;
		w->cap = cap;
	}
	if (a + nlen + 2 > sizeof(w->abs))
		return walk_fail(w, -ENAMETOOLONG);
	if (w->path[p - 1] != '/')
		w->path[p++] = '/';
	memcpy(w->path + p, name, nlen + 1);
	if (w->abs[a - 1] != '/')
		w->abs[a++] = '/';
	memcpy(w->abs + a, name, nlen + 1);
	*plen = p + nlen;
	*alen = a + nlen;
	return 0;
}

/* Go to folder @abs (@len bytes) for FTW_CHDIR. */
static int walk_chdir(struct walk *w, size_t len)
{
	char c = w->abs[len];
	int r;

	w->abs[len] = '\0';
	r = rw_chdir(len ? w->abs : "/");
	w->abs[len] = c;
	return r < 0 ? walk_fail(w, r) : 0;
}

/* The folder part of w->abs (@alen bytes): its length. */
static size_t walk_dirname(const struct walk *w, size_t alen)
{
	while (alen > 1 && w->abs[alen - 1] != '/')
		alen--;
	return alen > 1 ? alen - 1 : 1;
}

static int walk_entry(struct walk *w, size_t plen, size_t alen, int level, int base, int top,
		      dev_t pdev);

/* Read all of folder w->abs into a buffer of NUL-terminated names, so that
 * at most one listing is open whatever the depth (nftw's nopenfd). */
static int walk_read(struct walk *w, char **names, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *nb;
	struct dirent64 *e;
	int err = 0;
	DIR *d = rw_dir_openat(AT_FDCWD, w->abs, &err);

	if (!d)
		return err;
	for (;;) {
		size_t l;
		errno = 0;
		e = rw_dir_next(d, 1);
		if (!e) {
			err = -errno;
			break;
		}
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		l = strlen(e->d_name) + 1;
		if (n + l > cap) {
			cap = (n + l) * 2 + 256;
			nb = realloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
		}
		memcpy(buf + n, e->d_name, l);
		n += l;
	}
	rw_dir_close(d);
	real_closedir(d);
	if (err) {
		free(buf);
		return err;
	}
	*names = buf;
	*len = n;
	return 0;
}

static int walk_dir(struct walk *w, const struct stat *st, size_t plen, size_t alen, int level,
		    int base, dev_t dev)
{
	char *names = NULL, *name;
	size_t len = 0;
	int r = walk_read(w, &names, &len);

	if (r == -EACCES)
		return walk_outcome(w, walk_call(w, st, FTW_DNR, level, base));
	if (r < 0)
		return walk_fail(w, r);
	if (!(w->flags & FTW_DEPTH)) {
		r = walk_call(w, st, FTW_D, level, base);
		if (r != 0) {
			free(names);
			return walk_outcome(w, r);
		}
	}
	if ((w->flags & FTW_CHDIR) && walk_chdir(w, alen) < 0) {
		free(names);
		return -1;
	}
	for (name = names; name < names + len; name += strlen(name) + 1) {
		size_t p = plen, a = alen;
		int cbase;

		if (walk_push(w, &p, &a, name, strlen(name)) < 0) {
			r = -1;
			break;
		}
		cbase = (int)(p - strlen(name));
		r = walk_entry(w, p, a, level + 1, cbase, 0, dev);
		w->path[plen] = '\0';
		w->abs[alen] = '\0';
		if ((w->flags & FTW_ACTIONRETVAL) && r == FTW_SKIP_SIBLINGS) {
			r = 0;
			break;
		}
		if (r != 0)
			break;
	}
	free(names);
	if (r == 0 && (w->flags & FTW_DEPTH))
		r = walk_outcome(w, walk_call(w, st, FTW_DP, level, base));
	if ((w->flags & FTW_CHDIR) && walk_chdir(w, walk_dirname(w, alen)) < 0 && r == 0)
		r = -1;
	return r;
}

/* Visit the entry in w->path and w->abs. @pdev: the device of the folder
 * around it (for the overlay's entries, see rw_walk_dev). */
static int walk_entry(struct walk *w, size_t plen, size_t alen, int level, int base, int top,
		      dev_t pdev)
{
	int follow = !(w->flags & FTW_PHYS);
	struct stat st;
	int flag, r;
	dev_t dev;

	r = rw_fstatat(AT_FDCWD, w->abs, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW);
	if (r < 0) {
		int link = follow && rw_fstatat(AT_FDCWD, w->abs, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			   S_ISLNK(st.st_mode);
		/* Where the entry itself cannot be seen the walk fails; below,
		 * only a denied or vanished entry is reported and walked past. */
		if (top ? !(link && r == -ENOENT) : (r != -ENOENT && r != -EACCES))
			return walk_fail(w, r);
		flag = link ? FTW_SLN : FTW_NS;
		if (!link)
			memset(&st, 0, sizeof(st));
	} else {
		flag = S_ISDIR(st.st_mode) ? FTW_D : S_ISLNK(st.st_mode) ? FTW_SL : FTW_F;
	}
	dev = flag == FTW_NS ? pdev : rw_walk_dev(&st, pdev);
	if (top)
		w->dev = dev;
	else if ((w->flags & FTW_MOUNT) && flag != FTW_NS && dev != w->dev)
		return 0;
	if (flag != FTW_D)
		return walk_outcome(w, walk_call(w, &st, flag, level, base));
	/* Following links, a folder reached twice is walked once. */
	if (follow) {
		r = seen_before(w, &st);
		if (r < 0)
			return walk_fail(w, -ENOMEM);
		if (r)
			return 0;
	}
	return walk_dir(w, &st, plen, alen, level, base, dev);
}

/* The walk of ftw and nftw: the result, or -1 with errno in *@err. */
static int walk_start(const char *path, nftw_fn nfn, ftw_fn ffn, int flags, int *err)
{
	struct rw_vpath vp;
	struct walk w;
	size_t len, plen;
	int r, base, cwd = -1;

	if (!path || !*path) {
		*err = path ? ENOENT : EFAULT;
		return -1;
	}
	r = rw_view_abs(AT_FDCWD, path, &vp);
	if (r < 0) {
		*err = -r;
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.nfn = nfn;
	w.ffn = ffn;
	w.flags = flags;
	/* glibc drops the trailing slashes of the start ("dir/" is "dir"). */
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	w.cap = len + 256;
	w.path = malloc(w.cap);
	if (!w.path) {
		*err = ENOMEM;
		return -1;
	}
	memcpy(w.path, path, len);
	w.path[len] = '\0';
	memcpy(w.abs, vp.abs, vp.len + 1);
	plen = len;
	while (plen > 0 && w.path[plen - 1] != '/')
		plen--;
	base = (int)plen;
	if (flags & FTW_CHDIR) {
		/* Come back here at the end; start in the folder of the start. */
		cwd = real_openat(AT_FDCWD, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cwd < 0) {
			*err = errno;
			free(w.path);
			return -1;
		}
		if (base > 0 && walk_chdir(&w, walk_dirname(&w, vp.len)) < 0)
			r = -1;
	}
	if (r == 0)
		r = walk_entry(&w, len, vp.len, 0, base, 1, 0);
	if (cwd >= 0) {
		real_fchdir(cwd);
		rw_cwd_forget();
		real_close(cwd);
	}
	tdestroy(w.seen, free);
	free(w.path);
	if ((flags & FTW_ACTIONRETVAL) && (r == FTW_SKIP_SUBTREE || r == FTW_SKIP_SIBLINGS))
		r = 0;
	*err = r == -1 && w.err ? w.err : 0;
	return r;
}

/* nftw as its callers see it: @old for the GLIBC_2.2.5 version, which
 * drops the flags it does not know (FTW_ACTIONRETVAL among them) where the
 * newer one refuses them. */
static int nftw_common(const char *path, nftw_fn fn, int flags, int old)
{
	int saved = errno, err, r;

	if (old)
		flags &= FTW_PHYS | FTW_MOUNT | FTW_CHDIR | FTW_DEPTH;
	else if (flags & ~NFTW_FLAGS) {
		errno = EINVAL;
		return -1;
	}
	r = walk_start(path, fn, NULL, flags, &err);
	errno = err ? err : (r == -1 ? errno : saved);
	return r;
}

RW_EXPORT int ftw(const char *path, ftw_fn fn, int nopenfd)
{
	int saved = errno, err, r;

	if (!rw_ready())
		return RW_REAL(ftw, (int)rw_enosys(), path, (void *)fn, nopenfd);
	r = walk_start(path, NULL, fn, 0, &err);
	errno = err ? err : (r == -1 ? errno : saved);
	return r;
}

/* On the 64-bit targets rwshim builds for, struct stat64 is struct stat. */
#ifdef __GLIBC__ /* musl: the *64 names are macros for the plain ones */
RW_EXPORT int ftw64(const char *path, int (*fn)(const char *, const struct stat64 *, int),
		    int nopenfd)
{
	int saved = errno, err, r;

	if (!rw_ready())
		return RW_REAL(ftw64, (int)rw_enosys(), path, (void *)fn, nopenfd);
	r = walk_start(path, NULL, (ftw_fn)fn, 0, &err);
	errno = err ? err : (r == -1 ? errno : saved);
	return r;
}
#endif

typedef int (*nftw_real_fn)(const char *, nftw_fn, int, int);

#ifdef RW_OLD_GLIBC
static void *real_nftw_old, *real_nftw64_old;

RW_EXPORT int rw_sv_nftw(const char *path, nftw_fn fn, int nopenfd, int flags)
{
	if (!rw_ready())
		return RW_REAL(nftw, (int)rw_enosys(), path, (void *)fn, nopenfd, flags);
	return nftw_common(path, fn, flags, 0);
}
RW_SYMVER(rw_sv_nftw, "nftw@@GLIBC_2.3.3");

RW_EXPORT int rw_sv_nftw64(const char *path,
			   int (*fn)(const char *, const struct stat64 *, int, struct FTW *),
			   int nopenfd, int flags)
{
	if (!rw_ready())
		return RW_REAL(nftw64, (int)rw_enosys(), path, (void *)fn, nopenfd, flags);
	return nftw_common(path, (nftw_fn)fn, flags, 0);
}
RW_SYMVER(rw_sv_nftw64, "nftw64@@GLIBC_2.3.3");

RW_EXPORT int rw_sv_nftw_old(const char *path, nftw_fn fn, int nopenfd, int flags)
{
	if (!rw_ready()) {
		nftw_real_fn real = (nftw_real_fn)rw_real_version("nftw", RW_OLD_GLIBC, &real_nftw_old);
		return real ? real(path, fn, nopenfd, flags) : (int)rw_enosys();
	}
	return nftw_common(path, fn, flags, 1);
}
RW_SYMVER(rw_sv_nftw_old, "nftw@GLIBC_2.2.5");

RW_EXPORT int rw_sv_nftw64_old(const char *path,
			       int (*fn)(const char *, const struct stat64 *, int, struct FTW *),
			       int nopenfd, int flags)
{
	if (!rw_ready()) {
		nftw_real_fn real =
			(nftw_real_fn)rw_real_version("nftw64", RW_OLD_GLIBC, &real_nftw64_old);
		return real ? real(path, (nftw_fn)fn, nopenfd, flags) : (int)rw_enosys();
	}
	return nftw_common(path, (nftw_fn)fn, flags, 1);
}
RW_SYMVER(rw_sv_nftw64_old, "nftw64@GLIBC_2.2.5");

/* Look the old versions up at load time rather than in a first call (a
 * child of a threaded fork would have to take the loader's lock). */
__attribute__((constructor)) static void walk_versions(void)
{
	rw_real_version("nftw", RW_OLD_GLIBC, &real_nftw_old);
	rw_real_version("nftw64", RW_OLD_GLIBC, &real_nftw64_old);
	rw_real_version("glob", RW_OLD_GLIBC, &real_glob_old);
	rw_real_version("glob64", RW_OLD_GLIBC, &real_glob64_old);
}
#else
RW_EXPORT int nftw(const char *path, nftw_fn fn, int nopenfd, int flags)
{
	if (!rw_ready())
		return RW_REAL(nftw, (int)rw_enosys(), path, (void *)fn, nopenfd, flags);
	return nftw_common(path, fn, flags, 0);
}

#ifdef __GLIBC__ /* musl: the *64 names are macros for the plain ones */
RW_EXPORT int nftw64(const char *path,
		     int (*fn)(const char *, const struct stat64 *, int, struct FTW *), int nopenfd,
		     int flags)
{
	if (!rw_ready())
		return RW_REAL(nftw64, (int)rw_enosys(), path, (void *)fn, nopenfd, flags);
	return nftw_common(path, (nftw_fn)fn, flags, 0);
}
#endif
#endif

/* ---- on an open listing --------------------------------------------------------- */

long rw_getdents64(int fd, void *buf, size_t len)
{
	return rw_dir_getdents(fd, buf, len);
}

#ifdef __GLIBC__ /* musl: getdents64 is a macro for getdents */
RW_EXPORT ssize_t getdents64(int fd, void *buf, size_t len)
{
	int saved = errno;
	long r;

	if (!rw_ready())
		return RW_REAL(getdents64, syscall(SYS_getdents64, fd, buf, len), fd, buf, len);
	r = rw_dir_getdents(fd, buf, len);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	errno = saved;
	return r;
}
#endif

RW_EXPORT long telldir(DIR *dir)
{
	if (!real_telldir && rw_real_resolve() < 0)
		return rw_enosys();
	return rw_dir_tell(dir);
}

RW_EXPORT void seekdir(DIR *dir, long pos)
{
	if (!real_seekdir && rw_real_resolve() < 0)
		return;
	rw_dir_seek(dir, pos);
}

/* readdir_r into the caller's @entry; the merged listing's entries are
 * copied, the others left to libc. */
static int readdir_r_merged(DIR *dir, void *entry, void **result, int is64)
{
	int saved = errno, err;
	struct dirent64 *e;

	errno = 0;
	e = rw_dir_next(dir, is64);
	err = errno;
	errno = saved;
	if (!e) {
		*result = NULL;
		return err;
	}
	memcpy(entry, e, offsetof(struct dirent64, d_name) + strlen(e->d_name) + 1);
	*result = entry;
	return 0;
}

RW_EXPORT int readdir_r(DIR *dir, struct dirent *entry, struct dirent **result)
{
	if (!real_readdir_r && rw_real_resolve() < 0)
		return ENOSYS;
	if (!rw_dir_is_merged(dir))
		return real_readdir_r(dir, entry, result);
	return readdir_r_merged(dir, entry, (void **)result, 0);
}

#ifdef __GLIBC__ /* musl: the *64 names are macros for the plain ones */
RW_EXPORT int readdir64_r(DIR *dir, struct dirent64 *entry, struct dirent64 **result)
{
	if (!real_readdir64_r && rw_real_resolve() < 0)
		return ENOSYS;
	if (!rw_dir_is_merged(dir))
		return real_readdir64_r(dir, entry, result);
	return readdir_r_merged(dir, entry, (void **)result, 1);
}
#endif
