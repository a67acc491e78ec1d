/* SPDX-License-Identifier: MIT */
/*
 * hook/fts.c - rwshim's own fts (fts_open, fts_read, fts_children, fts_set,
 * fts_close and the fts64_* names), because glibc's walks with internal
 * opendir, stat and fchdir calls that never reach a hook. The program reads
 * the FTS and FTSENT of <fts.h> directly, so those are glibc's structures;
 * what only rwshim needs sits in front of each FTSENT.
 *
 * This fts never changes the working folder: every walk is an FTS_NOCHDIR
 * walk (fts_accpath is fts_path), which is also what FTS_LOGICAL makes of
 * glibc's. Listings and stats go through the merged view by absolute path.
 * Heap memory is taken as fts's contract takes it (an FTSENT per entry).
 */
#include <fts.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fs/dirmerge.h"
#include "fs/view.h"
#include "hook/calls.h"
#include "hook/hook.h"

#ifdef __GLIBC__ /* musl has no FTS64 */
_Static_assert(sizeof(FTS) == sizeof(FTS64), "FTS64 differs from FTS");
_Static_assert(sizeof(FTSENT) == sizeof(FTSENT64), "FTSENT64 differs from FTSENT");
#endif

/* An entry: rwshim's part, then the FTSENT the program gets, whose name,
 * then path, then absolute path follow it in the same allocation. */
struct ent {
	FTSENT *children; /* the listing of a folder being walked, or NULL */
	int nameonly;     /* @children has names only: list again to walk */
	size_t abslen;
	char *abs;        /* the entry in the merged view, absolute */
	struct stat st;
	FTSENT e;         /* last: fts_name runs on past it */
};

#define ENT(p) ((struct ent *)((char *)(p) - offsetof(struct ent, e)))

/* A walk: the FTS the program holds comes first. */
struct walk {
	FTS fts;
	FTSENT *roots;  /* the first root, until the first fts_read */
	FTSENT *parent; /* the roots' parent, level FTS_ROOTPARENTLEVEL */
	int started;    /* fts_read was called */
	dev_t dev;      /* the device of the current root, for FTS_XDEV */
};

#define OPT(w, o) ((w)->fts.fts_options & (o))

static FTSENT *ent_new(const char *name, size_t nlen, const char *path, size_t plen,
		       const char *abs, size_t alen)
{
	size_t size = offsetof(struct ent, e) + offsetof(FTSENT, fts_name) + nlen + plen + alen + 3;
	struct ent *n = calloc(1, size);
	char *p;

	if (!n)
		return NULL;
	p = n->e.fts_name;
	memcpy(p, name, nlen);
	p += nlen + 1;
	n->e.fts_path = n->e.fts_accpath = p;
	memcpy(p, path, plen);
	p += plen + 1;
	n->abs = p;
	memcpy(p, abs, alen);
	n->abslen = alen;
	/* glibc's fields are as short. */
	n->e.fts_namelen = (unsigned short)(nlen > 0xffff ? 0xffff : nlen);
	n->e.fts_pathlen = (unsigned short)(plen > 0xffff ? 0xffff : plen);
	n->e.fts_statp = &n->st;
	n->e.fts_instr = FTS_NOINSTR;
	n->e.fts_symfd = -1;
	return &n->e;
}

static void ent_free_list(FTSENT *p);

static void ent_free(FTSENT *p)
{
	struct ent *n = ENT(p);

	ent_free_list(n->children);
	free(n);
}

static void ent_free_list(FTSENT *p)
{
	while (p) {
		FTSENT *next = p->fts_link;
		ent_free(p);
		p = next;
	}
}

/* Stat entry @p into its fts_statp and say what it is (fts_info). */
static unsigned short ent_stat(struct walk *w, FTSENT *p, int follow)
{
	struct ent *n = ENT(p);
	struct stat *st = &n->st;
	FTSENT *a;
	int r;

	follow = follow || OPT(w, FTS_LOGICAL) ||
		 (OPT(w, FTS_COMFOLLOW) && p->fts_level == FTS_ROOTLEVEL);
	p->fts_errno = 0;
	r = rw_fstatat(AT_FDCWD, n->abs, st, follow ? 0 : AT_SYMLINK_NOFOLLOW);
	if (r < 0) {
		/* A link that leads nowhere, or round in a loop. */
		if (follow && rw_fstatat(AT_FDCWD, n->abs, st, AT_SYMLINK_NOFOLLOW) == 0)
			return FTS_SLNONE;
		p->fts_errno = -r;
		memset(st, 0, sizeof(*st));
		return FTS_NS;
	}
	p->fts_dev = st->st_dev;
	p->fts_ino = st->st_ino;
	p->fts_nlink = st->st_nlink;
	if (S_ISDIR(st->st_mode)) {
		if (p->fts_level > FTS_ROOTLEVEL && p->fts_name[0] == '.' &&
		    (!p->fts_name[1] || (p->fts_name[1] == '.' && !p->fts_name[2])))
			return FTS_DOT;
		/* A folder that is one of its own ancestors: a cycle. */
		for (a = p->fts_parent; a && a->fts_level >= FTS_ROOTLEVEL; a = a->fts_parent)
			if (a->fts_dev == p->fts_dev && a->fts_ino == p->fts_ino) {
				p->fts_cycle = a;
				return FTS_DC;
			}
		return FTS_D;
	}
	if (S_ISLNK(st->st_mode))
		return FTS_SL;
	return S_ISREG(st->st_mode) ? FTS_F : FTS_DEFAULT;
}

static int by_compar(struct walk *w, FTSENT **list, size_t n)
{
	size_t i;

	if (!w->fts.fts_compar || n < 2)
		return 0;
	if ((size_t)w->fts.fts_nitems < n) {
		FTSENT **a = realloc(w->fts.fts_array, n * sizeof(*a));
		if (!a)
			return -ENOMEM;
		w->fts.fts_array = a;
		w->fts.fts_nitems = (int)n;
	}
	for (i = 0; i < n; i++)
		w->fts.fts_array[i] = list[i];
	qsort(w->fts.fts_array, n, sizeof(FTSENT *),
	      (int (*)(const void *, const void *))w->fts.fts_compar);
	for (i = 0; i < n; i++)
		list[i] = w->fts.fts_array[i];
	return 0;
}

/* Sort the list at *@head with the program's compar (fts_link order). */
static int sort_list(struct walk *w, FTSENT **head)
{
	FTSENT *p, **v;
	size_t n = 0, i;
	int r;

	if (!w->fts.fts_compar)
		return 0;
	for (p = *head; p; p = p->fts_link)
		n++;
	if (n < 2)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0, p = *head; p; p = p->fts_link)
		v[i++] = p;
	r = by_compar(w, v, n);
	if (r == 0) {
		for (i = 0; i + 1 < n; i++)
			v[i]->fts_link = v[i + 1];
		v[n - 1]->fts_link = NULL;
		*head = v[0];
	}
	free(v);
	return r;
}

/*
 * List folder @p: its children, stat'ed unless @nameonly (or FTS_NOSTAT
 * tells from the listing that one is no folder), sorted. Returns 0 with the
 * list in *@out (NULL for an empty folder), or -errno when the folder cannot
 * be read.
 */
static int list_dir(struct walk *w, FTSENT *p, int nameonly, FTSENT **out)
{
	struct ent *n = ENT(p);
	FTSENT *head = NULL, **tail = &head, *c;
	struct dirent64 *e;
	int err = 0;
	DIR *d;

	*out = NULL;
	d = rw_dir_openat(AT_FDCWD, n->abs, &err);
	if (!d)
		return err;
	for (;;) {
		char path[PATH_MAX], abs[PATH_MAX];
		size_t nlen, plen = p->fts_pathlen, alen = n->abslen;
		const char *name;

		errno = 0;
		e = rw_dir_next(d, 1);
		if (!e) {
			err = -errno;
			break;
		}
		name = e->d_name;
		if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])) &&
		    !OPT(w, FTS_SEEDOT))
			continue;
		nlen = strlen(name);
		/* "dir/" + name is "dir/name"; "/" + name is "/name". */
		if (plen + nlen + 2 > sizeof(path) || alen + nlen + 2 > sizeof(abs)) {
			err = -ENAMETOOLONG;
			break;
		}
		memcpy(path, p->fts_path, plen);
		if (!plen || path[plen - 1] != '/')
			path[plen++] = '/';
		memcpy(path + plen, name, nlen);
		memcpy(abs, n->abs, alen);
		if (abs[alen - 1] != '/')
			abs[alen++] = '/';
		memcpy(abs + alen, name, nlen);
		c = ent_new(name, nlen, path, plen + nlen, abs, alen + nlen);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		c->fts_parent = p;
		c->fts_level = (short)(p->fts_level + 1);
		if (nameonly) {
			c->fts_info = FTS_NSOK;
		} else if (OPT(w, FTS_NOSTAT) && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN &&
			   !(OPT(w, FTS_LOGICAL) && e->d_type == DT_LNK)) {
			/* Not a folder, and the program needs no more. */
			c->fts_info = FTS_NSOK;
			ENT(c)->st.st_mode = DTTOIF(e->d_type);
		} else {
			c->fts_info = ent_stat(w, c, 0);
		}
		*tail = c;
		tail = &c->fts_link;
	}
	rw_dir_close(d);
	real_closedir(d);
	if (!err)
		err = sort_list(w, &head);
	if (err) {
		ent_free_list(head);
		return err;
	}
	*out = head;
	return 0;
}

/* ---- the calls --------------------------------------------------------------- */

static FTS *fts_open_common(char *const *argv, int options,
			    int (*compar)(const FTSENT **, const FTSENT **))
{
	struct walk *w;
	FTSENT *head = NULL, **tail = &head, *p;
	int r;

	if (options & ~FTS_OPTIONMASK) {
		errno = EINVAL;
		return NULL;
	}
	/* A logical walk cannot come back through "..": glibc's does not
	 * change folders then either, nor does this one ever. */
	if (options & FTS_LOGICAL)
		options |= FTS_NOCHDIR;
	w = calloc(1, sizeof(*w));
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->fts.fts_options = options;
	w->fts.fts_compar = (__typeof__(w->fts.fts_compar))compar;
	w->fts.fts_rfd = -1;
	w->parent = ent_new("", 0, "", 0, "", 0);
	if (!w->parent)
		goto nomem;
	w->parent->fts_level = FTS_ROOTPARENTLEVEL;
	w->parent->fts_info = FTS_INIT;
	for (; argv && *argv; argv++) {
		const char *path = *argv;
		size_t len = strlen(path);
		struct rw_vpath vp;

		if (!len) {
			r = -ENOENT;
			goto fail;
		}
		/* A root is named by all of its path until it is visited (so the
		 * roots sort by path, as glibc's do), then by its last part. */
		r = rw_view_abs(AT_FDCWD, path, &vp);
		if (r < 0)
			goto fail;
		p = ent_new(path, len, path, len, vp.abs, vp.len);
		if (!p)
			goto nomem;
		p->fts_level = FTS_ROOTLEVEL;
		p->fts_parent = w->parent;
		p->fts_info = ent_stat(w, p, 0);
		/* With a compar, glibc sorts the roots from last to first, so
		 * equal ones come in that order. */
		if (compar) {
			p->fts_link = head;
			head = p;
		} else {
			*tail = p;
			tail = &p->fts_link;
		}
	}
	r = sort_list(w, &head);
	if (r < 0)
		goto fail;
	w->roots = head;
	return &w->fts;
nomem:
	r = -ENOMEM;
fail:
	ent_free_list(head);
	if (w->parent)
		ent_free(w->parent);
	free(w->fts.fts_array);
	free(w);
	errno = -r;
	return NULL;
}

/* Make @p the current entry, applying what fts_set asked for it before it
 * was returned; NULL when it is to be skipped. */
static FTSENT *arrive(struct walk *w, FTSENT *p)
{
	w->fts.fts_cur = p;
	w->fts.fts_path = p->fts_path;
	if (p->fts_level == FTS_ROOTLEVEL) {
		/* The last part of the path: "" after a final "/", but "/". */
		const char *base = strrchr(p->fts_name, '/');
		if (base && p->fts_namelen > 1) {
			size_t len = strlen(base + 1);
			memmove(p->fts_name, base + 1, len + 1);
			p->fts_namelen = (unsigned short)len;
		}
		w->dev = rw_walk_dev(ENT(p)->e.fts_statp, p->fts_dev);
	}
	if (p->fts_instr == FTS_SKIP)
		return NULL;
	if (p->fts_instr == FTS_FOLLOW) {
		p->fts_instr = FTS_NOINSTR;
		p->fts_info = ent_stat(w, p, 1);
	}
	return p;
}

/* The next entry after @p, which is done with (freed once left). */
static FTSENT *move_on(struct walk *w, FTSENT *p)
{
	FTSENT *next, *parent;

	for (;;) {
		next = p->fts_link;
		if (next) {
			ent_free(p);
			if (arrive(w, next))
				return next;
			p = next;
			continue;
		}
		parent = p->fts_parent;
		ent_free(p);
		ENT(parent)->children = NULL;
		if (parent->fts_level == FTS_ROOTPARENTLEVEL) {
			/* The end: fts_close frees the parent. */
			w->fts.fts_cur = NULL;
			errno = 0;
			return NULL;
		}
		w->fts.fts_cur = parent;
		w->fts.fts_path = parent->fts_path;
		parent->fts_info = parent->fts_errno ? FTS_ERR : FTS_DP;
		return parent;
	}
}

/* What fts_read returns on going down to @p, the first of a list: @p, or
 * the next entry when @p is skipped (errno @saved unless the walk ended). */
static FTSENT *first_of(struct walk *w, FTSENT *p, int saved)
{
	if (!arrive(w, p))
		p = move_on(w, p);
	if (p)
		errno = saved;
	return p;
}

static FTSENT *fts_read_common(FTS *fts)
{
	struct walk *w = (struct walk *)fts;
	FTSENT *p, *children;
	int instr, saved = errno, r;

	if (!w) {
		errno = EINVAL;
		return NULL;
	}
	if (!w->started) {
		w->started = 1;
		p = w->roots;
		w->roots = NULL;
		if (!p) {
			errno = 0;
			return NULL;
		}
		ENT(w->parent)->children = p;
		return first_of(w, p, saved);
	}
	p = w->fts.fts_cur;
	if (!p) {
		errno = 0;
		return NULL;
	}
	instr = p->fts_instr;
	p->fts_instr = FTS_NOINSTR;
	if (instr == FTS_AGAIN) {
		p->fts_info = ent_stat(w, p, 0);
		errno = saved;
		return p;
	}
	if (instr == FTS_FOLLOW && (p->fts_info == FTS_SL || p->fts_info == FTS_SLNONE)) {
		p->fts_info = ent_stat(w, p, 1);
		errno = saved;
		return p;
	}
	if (p->fts_info == FTS_D) {
		struct ent *n = ENT(p);
		/* Skipped, or on another device: the post-order visit at once. */
		if (instr == FTS_SKIP ||
		    (OPT(w, FTS_XDEV) && rw_walk_dev(&n->st, w->dev) != w->dev)) {
			ent_free_list(n->children);
			n->children = NULL;
			p->fts_info = FTS_DP;
			errno = saved;
			return p;
		}
		if (n->nameonly || !n->children) {
			ent_free_list(n->children);
			n->children = NULL;
			n->nameonly = 0;
			r = list_dir(w, p, 0, &children);
			if (r < 0) {
				p->fts_errno = -r;
				p->fts_info = FTS_DNR;
				errno = saved;
				return p;
			}
			n->children = children;
		}
		if (!n->children) {
			p->fts_info = FTS_DP;
			errno = saved;
			return p;
		}
		return first_of(w, n->children, saved);
	}
	p = move_on(w, p);
	if (p)
		errno = saved;
	return p;
}

static FTSENT *fts_children_common(FTS *fts, int options)
{
	struct walk *w = (struct walk *)fts;
	FTSENT *p, *children;
	struct ent *n;
	int r;

	if (!w || (options & ~FTS_NAMEONLY)) {
		errno = EINVAL;
		return NULL;
	}
	if (!w->started) {
		errno = 0;
		return w->roots;
	}
	p = w->fts.fts_cur;
	errno = 0;
	if (!p || p->fts_info != FTS_D)
		return NULL;
	n = ENT(p);
	ent_free_list(n->children);
	n->children = NULL;
	r = list_dir(w, p, options & FTS_NAMEONLY, &children);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	n->children = children;
	n->nameonly = (options & FTS_NAMEONLY) != 0;
	w->fts.fts_child = children;
	errno = 0;
	return children;
}

static int fts_set_common(FTSENT *p, int instr)
{
	if (!p || (instr != 0 && instr != FTS_AGAIN && instr != FTS_FOLLOW && instr != FTS_NOINSTR &&
		   instr != FTS_SKIP)) {
		errno = EINVAL;
		return -1;
	}
	p->fts_instr = (unsigned short)instr;
	return 0;
}

static int fts_close_common(FTS *fts)
{
	struct walk *w = (struct walk *)fts;
	FTSENT *p, *parent;

	if (!w)
		return 0;
	if (!w->started) {
		ent_free_list(w->roots);
	} else {
		/* What is left: the current entry, the entries after it at
		 * each level, and its ancestors. */
		for (p = w->fts.fts_cur; p && p->fts_level >= FTS_ROOTLEVEL; p = parent) {
			parent = p->fts_parent;
			ENT(parent)->children = NULL;
			ent_free_list(p);
		}
	}
	ENT(w->parent)->children = NULL;
	ent_free(w->parent);
	free(w->fts.fts_array);
	free(w);
	return 0;
}

RW_EXPORT FTS *fts_open(char *const *argv, int options,
			int (*compar)(const FTSENT **, const FTSENT **))
{
	rw_ready();
	return fts_open_common(argv, options, compar);
}

RW_EXPORT FTSENT *fts_read(FTS *fts)
{
	return fts_read_common(fts);
}

RW_EXPORT FTSENT *fts_children(FTS *fts, int options)
{
	return fts_children_common(fts, options);
}

RW_EXPORT int fts_set(FTS *fts, FTSENT *p, int instr)
{
	(void)fts;
	return fts_set_common(p, instr);
}

RW_EXPORT int fts_close(FTS *fts)
{
	return fts_close_common(fts);
}

#ifdef __GLIBC__ /* musl has no FTS64 */
/* On the 64-bit targets rwshim builds for, FTS64 and FTSENT64 are FTS and
 * FTSENT with a stat64, which is a stat. */
RW_EXPORT FTS64 *fts64_open(char *const *argv, int options,
			    int (*compar)(const FTSENT64 **, const FTSENT64 **))
{
	rw_ready();
	return (FTS64 *)fts_open_common(argv, options,
					(int (*)(const FTSENT **, const FTSENT **))compar);
}

RW_EXPORT FTSENT64 *fts64_read(FTS64 *fts)
{
	return (FTSENT64 *)fts_read_common((FTS *)fts);
}

RW_EXPORT FTSENT64 *fts64_children(FTS64 *fts, int options)
{
	return (FTSENT64 *)fts_children_common((FTS *)fts, options);
}

RW_EXPORT int fts64_set(FTS64 *fts, FTSENT64 *p, int instr)
{
	(void)fts;
	return fts_set_common((FTSENT *)p, instr);
}

RW_EXPORT int fts64_close(FTS64 *fts)
{
	return fts_close_common((FTS *)fts);
}
#endif
