/* SPDX-License-Identifier: MIT */
/*
 * fs/view.c - resolving paths in the merged view and the small changes to
 * the overlay that redirected writes make (see view.h).
 * Only real_* functions touch the disk; nothing here allocates or sets errno
 * for the caller: functions return -errno.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/index.h"
#include "core/path.h"
#include "fs/helper.h"
#include "fs/real.h"
#include "fs/session.h"
#include "fs/store.h"
#include "fs/view.h"
#include "fs/xattrs.h"
#include "rwshim.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define MAX_SYMLINKS 40

static const char *const always_excluded[] = { "/proc", "/sys", "/dev" };

/* ---- the working folder, cached --------------------------------------- */

/* A seqlock: readers copy and check the sequence did not move; a writer
 * that cannot take the odd state simply does not cache. No lock is ever
 * held, so fork and signals cannot leave one behind. */
static char cwd_buf[PATH_MAX];
static size_t cwd_len;
static int cwd_stored;
static unsigned int cwd_seq;
static unsigned int cwd_gen;

void rw_view_cwd_changed(const char *vpath, size_t len, int stored)
{
	unsigned int seq = __atomic_load_n(&cwd_seq, __ATOMIC_ACQUIRE);

	__atomic_add_fetch(&cwd_gen, 1, __ATOMIC_ACQ_REL);
	if (!vpath || (seq & 1) ||
	    !__atomic_compare_exchange_n(&cwd_seq, &seq, seq + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		__atomic_store_n(&cwd_len, 0, __ATOMIC_RELEASE);
		return;
	}
	memcpy(cwd_buf, vpath, len + 1);
	cwd_stored = stored;
	__atomic_store_n(&cwd_len, len, __ATOMIC_RELEASE);
	__atomic_store_n(&cwd_seq, seq + 2, __ATOMIC_RELEASE);
}

static long get_cwd(char *out, int *stored)
{
	unsigned int seq = __atomic_load_n(&cwd_seq, __ATOMIC_ACQUIRE);
	unsigned int gen = __atomic_load_n(&cwd_gen, __ATOMIC_ACQUIRE);
	size_t len = __atomic_load_n(&cwd_len, __ATOMIC_ACQUIRE);

	if (!(seq & 1) && len) {
		memcpy(out, cwd_buf, len + 1);
		*stored = cwd_stored;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&cwd_seq, __ATOMIC_RELAXED) == seq)
			return (long)len;
	}
	if (!real_getcwd(out, PATH_MAX))
		return -errno;
	len = strlen(out);
	*stored = rw_sess.ix && rw_path_has_prefix(out, len, rw_sess.upper, rw_sess.upper_len);
	len = rw_view_unmap(out, len);
	seq = __atomic_load_n(&cwd_seq, __ATOMIC_ACQUIRE);
	if (!(seq & 1) && __atomic_load_n(&cwd_gen, __ATOMIC_ACQUIRE) == gen &&
	    __atomic_compare_exchange_n(&cwd_seq, &seq, seq + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		if (__atomic_load_n(&cwd_gen, __ATOMIC_ACQUIRE) == gen) {
			memcpy(cwd_buf, out, len + 1);
			cwd_stored = *stored;
			__atomic_store_n(&cwd_len, len, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&cwd_seq, seq + 2, __ATOMIC_RELEASE);
	}
	return (long)len;
}

/* ---- naming -------------------------------------------------------------- */

size_t rw_view_unmap(char *real, size_t len)
{
	size_t ul = rw_sess.upper_len;

	if (!rw_sess.ix || !rw_path_has_prefix(real, len, rw_sess.upper, ul))
		return len;
	if (len == ul) {
		real[0] = '/';
		real[1] = '\0';
		return 1;
	}
	memmove(real, real + ul, len - ul + 1);
	return len - ul;
}

size_t rw_fd_name(int fd, char *out)
{
	char digits[12];
	unsigned int v = (unsigned int)fd;
	size_t i = 14;
	int n = 0;

	memcpy(out, "/proc/self/fd/", 14);
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		out[i++] = digits[--n];
	out[i] = '\0';
	return i;
}

#ifdef STATX_MNT_ID
/*
 * The folders this thread's last *at calls named by descriptor. Reading
 * /proc/self/fd/N walks procfs (about 1.2 us); two statx calls (about
 * 0.2 us each) prove a remembered answer still holds: the descriptor and
 * the remembered path are the same folder on the same mount, and a folder
 * has one name per mount. A slot is rewritten under an odd sequence, so a
 * signal handler of this thread never reads half of one.
 */
struct fd_memo {
	unsigned int seq;
	int fd;
	uint64_t dev, ino, mnt;
	size_t len;
	char path[224];
};
static __thread struct fd_memo fd_memo[2] __attribute__((tls_model("initial-exec")));
static __thread unsigned int fd_memo_next __attribute__((tls_model("initial-exec")));

static int identity(int dirfd, const char *path, int flags, uint64_t id[3])
{
	struct statx sx;

	if (!real_statx ||
	    real_statx(dirfd, path, flags | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_MNT_ID,
		       &sx) < 0 ||
	    (sx.stx_mask & (STATX_TYPE | STATX_INO | STATX_MNT_ID)) !=
		    (STATX_TYPE | STATX_INO | STATX_MNT_ID) ||
	    !S_ISDIR(sx.stx_mode))
		return -1;
	id[0] = ((uint64_t)sx.stx_dev_major << 32) | sx.stx_dev_minor;
	id[1] = sx.stx_ino;
	id[2] = sx.stx_mnt_id;
	return 0;
}

static long fd_memo_get(int fd, char *out)
{
	uint64_t id[3], pid[3];
	unsigned int i, seq;

	for (i = 0; i < RW_ARRAY_LEN(fd_memo); i++) {
		struct fd_memo *m = &fd_memo[i];
		size_t len;

		seq = __atomic_load_n(&m->seq, __ATOMIC_RELAXED);
		if ((seq & 1) || m->fd != fd)
			continue;
		len = m->len;
		if (len >= sizeof(m->path))
			continue;
		memcpy(out, m->path, len);
		out[len] = '\0';
		memcpy(id, &m->dev, sizeof(id));
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&m->seq, __ATOMIC_RELAXED) != seq)
			continue;
		if (identity(fd, "", AT_EMPTY_PATH, pid) < 0 || memcmp(id, pid, sizeof(id)) ||
		    identity(AT_FDCWD, out, 0, pid) < 0 || memcmp(id, pid, sizeof(id)))
			continue;
		return (long)len;
	}
	return -1;
}

static void fd_memo_put(int fd, const char *path, size_t len)
{
	struct fd_memo *m = NULL;
	uint64_t id[3];
	unsigned int i;

	/* The slot this descriptor had, else the older one. */
	for (i = 0; i < RW_ARRAY_LEN(fd_memo) && !m; i++)
		if (fd_memo[i].fd == fd)
			m = &fd_memo[i];
	if (!m)
		m = &fd_memo[fd_memo_next++ % RW_ARRAY_LEN(fd_memo)];

	if (len >= sizeof(m->path) || identity(fd, "", AT_EMPTY_PATH, id) < 0)
		return;
	__atomic_store_n(&m->seq, m->seq + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	m->fd = fd;
	memcpy(&m->dev, id, sizeof(id));
	memcpy(m->path, path, len);
	m->len = len;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&m->seq, m->seq + 1, __ATOMIC_RELAXED);
}
#else
static long fd_memo_get(int fd, char *out)
{
	(void)fd, (void)out;
	return -1;
}

static void fd_memo_put(int fd, const char *path, size_t len)
{
	(void)fd, (void)path, (void)len;
}
#endif

/* The virtual path of folder descriptor @fd, in @out (PATH_MAX bytes). */
static int fd_path(int fd, char *out, int *stored)
{
	char link[32];
	ssize_t r;
	long m;

	if (fd < 0)
		return -EBADF;
	/* Only folders outside the storage are remembered: a storage path
	 * is never looked up from the top, where links could lead elsewhere. */
	if ((m = fd_memo_get(fd, out)) >= 0) {
		*stored = 0;
		return (int)m;
	}
	rw_fd_name(fd, link);
	r = real_readlinkat(AT_FDCWD, link, out, PATH_MAX - 1);
	if (r < 0)
		return errno == ENOENT ? -EBADF : -errno;
	out[r] = '\0';
	/* A descriptor that is not a folder, or one whose folder was removed. */
	if (out[0] != '/' || (r > 10 && !memcmp(out + r - 10, " (deleted)", 10)))
		return -ENOTDIR;
	*stored = rw_sess.ix && rw_path_has_prefix(out, (size_t)r, rw_sess.upper, rw_sess.upper_len);
	if (!*stored)
		fd_memo_put(fd, out, (size_t)r);
	return (int)rw_view_unmap(out, (size_t)r);
}

/*
 * @path (from @base, or absolute) backs out with ".." of a name it gave
 * itself. The kernel takes ".." of where that name leads, which is not the
 * lexical parent when it is a link ("current/../shared" with current ->
 * releases/7). So the part before each such ".." is resolved through the
 * view, every link followed, and the rest joined from there. The lexical
 * answer in @vp, and its trailing flag, are kept for trees the overlay never
 * covers (/proc's magic links resolve only in the kernel).
 */
static __attribute__((noinline)) int resolve_backsteps(const char *base, const char *path, struct rw_vpath *vp)
{
	char rest[PATH_MAX];
	const char *from = base;
	char *p = rest;
	struct rw_loc loc;
	long at, r;
	int trailing = vp->trailing, overlay, resolved = 0;

	if (rw_view_quick(vp) == RW_EXCLUDED)
		return 0;
	memcpy(rest, path, strlen(path) + 1); /* shorter than PATH_MAX: joined already */
	while ((at = rw_path_backstep(p)) >= 0) {
		p[at] = '\0';
		r = rw_path_join(from, p, vp->abs, sizeof(vp->abs), NULL);
		p[at] = '.';
		if (r < 0)
			return (int)r;
		vp->len = (size_t)r;
		vp->trailing = 0;
		overlay = rw_view_quick(vp) == RW_LOOK;
		r = rw_view_resolve(vp, RW_FOLLOW | RW_CANON, &loc);
		if (r < 0)
			return (int)r;
		if (loc.layer == RW_NONE)
			return -ENOENT;
		if (!S_ISDIR(loc.st.st_mode))
			return -ENOTDIR;
		if (overlay || loc.layer != RW_LOWER)
			resolved = 1;
		from = loc.path;
		p += at;
	}
	r = rw_path_join(from, p, vp->abs, sizeof(vp->abs), NULL);
	if (r < 0)
		return (int)r;
	vp->len = (size_t)r;
	vp->trailing = trailing;
	vp->resolved = resolved;
	return 0;
}

int rw_view_abs(int dirfd, const char *path, struct rw_vpath *vp)
{
	RW_BUSY_SCOPE();
	char base[PATH_MAX];
	long r;

	if (!path)
		return -EFAULT;
	vp->stored = vp->resolved = 0;
	if (path[0] == '/') {
		r = rw_path_join(NULL, path, vp->abs, sizeof(vp->abs), &vp->trailing);
	} else {
		if (!path[0])
			return -ENOENT;
		r = dirfd == AT_FDCWD ? get_cwd(base, &vp->stored) : fd_path(dirfd, base, &vp->stored);
		if (r < 0)
			return (int)r;
		r = rw_path_join(base, path, vp->abs, sizeof(vp->abs), &vp->trailing);
	}
	if (r < 0)
		return (int)r;
	vp->len = (size_t)r;
	/* strstr first: every hooked path passes here, few hold "..". */
	if (strstr(path, "..") && rw_path_backstep(path) >= 0)
		return resolve_backsteps(path[0] == '/' ? NULL : base, path, vp);
	return 0;
}

int rw_view_protected(const struct rw_vpath *vp)
{
	return rw_cfg.paths.n && rw_prefix_list_match(&rw_cfg.paths, vp->abs, vp->len);
}

/* Per thread, so no lock; initial-exec, so no allocation on first use. */
static __thread struct rw_index_cache lookup_cache __attribute__((tls_model("initial-exec")));

/* Whether absolute @path (@len bytes) lies in a tree never redirected:
 * /proc, /sys, /dev, RWSHIM_EXCLUDE's, the storage itself. */
static int excluded(const char *path, size_t len)
{
	size_t i;

	/* Only "/d", "/p" and "/s" can start an always excluded tree. */
	if (path[1] == 'd' || path[1] == 'p' || path[1] == 's')
		for (i = 0; i < RW_ARRAY_LEN(always_excluded); i++)
			if (rw_path_has_prefix(path, len, always_excluded[i],
					       strlen(always_excluded[i])))
				return 1;
	if (rw_cfg.exclude.n && rw_prefix_list_match(&rw_cfg.exclude, path, len))
		return 1;
	return rw_sess.ix && rw_path_has_prefix(path, len, rw_sess.path, rw_sess.len);
}

enum rw_quick rw_view_quick(const struct rw_vpath *vp)
{
	if (excluded(vp->abs, vp->len))
		return RW_EXCLUDED;
	if (vp->stored || vp->resolved || rw_view_protected(vp))
		return RW_LOOK;
	if (rw_sess.ix && !rw_index_empty(rw_sess.ix) &&
	    rw_index_lookup_cached(rw_sess.ix, &lookup_cache, vp->abs, vp->len) == RW_INDEX_HIT)
		return RW_LOOK;
	return RW_PASS;
}

long rw_view_upper_rel(const char *path, size_t len, char *out, size_t outsz)
{
	if (len == 1) {
		if (outsz < 6)
			return -ENAMETOOLONG;
		memcpy(out, "upper", 6);
		return 5;
	}
	if (len + 6 > outsz)
		return -ENAMETOOLONG;
	memcpy(out, "upper", 5);
	memcpy(out + 5, path, len + 1);
	return (long)(len + 5);
}

/* The storage path of whiteout @prefix + NAME for @path. */
static long sibling_rel(const char *path, size_t len, const char *prefix, char *out, size_t outsz)
{
	const char *name;
	size_t plen = rw_path_split(path, len, &name), nlen = strlen(name);
	size_t pre = strlen(prefix);
	long r = rw_view_upper_rel(path, plen, out, outsz);

	if (r < 0)
		return r;
	if (nlen + pre > NAME_MAX)
		return -ENAMETOOLONG;
	if ((size_t)r + 1 + pre + nlen + 1 > outsz)
		return -ENAMETOOLONG;
	out[r++] = '/';
	memcpy(out + r, prefix, pre);
	memcpy(out + r + pre, name, nlen + 1);
	return r + (long)(pre + nlen);
}

static __attribute__((noinline)) int upper_stat(const char *path, size_t len, struct stat *st)
{
	char rel[PATH_MAX];

	if (rw_view_upper_rel(path, len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	return rw_store_stat(rel, st);
}

static __attribute__((noinline)) int upper_has(const char *path, size_t len, const char *prefix)
{
	char rel[PATH_MAX];
	struct stat st;

	if (sibling_rel(path, len, prefix, rel, sizeof(rel)) < 0)
		return 0;
	return rw_store_stat(rel, &st) == 0;
}

/* Whether upper folder @path is opaque; only folders marked SHADOW can be. */
static __attribute__((noinline)) int is_opaque(const char *path, size_t len)
{
	char rel[PATH_MAX];
	struct stat st;
	long r;

	r = rw_view_upper_rel(path, len, rel, sizeof(rel));
	if (r < 0 || (size_t)r + sizeof("/" WH_OPAQUE) > sizeof(rel))
		return 0;
	memcpy(rel + r, "/" WH_OPAQUE, sizeof("/" WH_OPAQUE));
	return rw_store_stat(rel, &st) == 0;
}

/* ---- resolution --------------------------------------------------------- */

/* @plen, the length of @walk's parent, when that folder is in the overlay;
 * else 0. */
static __attribute__((noinline)) size_t canonical_parent(const char *walk, size_t plen)
{
	/* Its storage path straight from @walk: no copy of the parent first. */
	char rel[PATH_MAX];
	struct stat st;

	if (plen <= 1 || plen + 6 > sizeof(rel) ||
	    !rw_index_marked(rw_sess.ix, walk, plen, RW_MARK_ENTRY))
		return 0;
	memcpy(rel, "upper", 5);
	memcpy(rel + 5, walk, plen);
	rel[5 + plen] = '\0';
	if (rw_store_stat(rel, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return plen;
}

/* readlink of overlay link @path (@len bytes) into @target (@size bytes).
 * Not inlined: its storage path is on the stack only while it reads. */
static __attribute__((noinline)) long upper_readlink(const char *path, size_t len, char *target,
						     size_t size)
{
	char rel[PATH_MAX];

	if (rw_view_upper_rel(path, len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	return rw_store_readlink(rel, target, size);
}

/* Replace the walk with @cur + link target + the rest, normalised. @cur
 * (the walk's own buffer) is cut at @curlen: the walk restarts after. */
static __attribute__((noinline)) int splice_link(char *walk, char *cur, size_t curlen,
						 int from_upper, const char *linkpath,
						 size_t linklen, const char *rest)
{
	char target[PATH_MAX];
	ssize_t n;
	size_t tlen, rlen = strlen(rest);
	long r;

	if (from_upper) {
		n = upper_readlink(linkpath, linklen, target, sizeof(target) - 1);
	} else {
		n = real_readlinkat(AT_FDCWD, linkpath, target, sizeof(target) - 1);
		n = n < 0 ? -errno : n;
	}
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT;
	tlen = (size_t)n;
	if (tlen + 1 + rlen + 1 > sizeof(target))
		return -ENAMETOOLONG;
	if (rlen) {
		target[tlen++] = '/';
		memcpy(target + tlen, rest, rlen);
		tlen += rlen;
	}
	target[tlen] = '\0';
	/* @rest is copied out of @walk, and @cur is not @walk: join into it. */
	cur[curlen] = '\0';
	r = rw_path_join(cur, target, walk, PATH_MAX, NULL);
	return r < 0 ? (int)r : 0;
}

/* What the last walk of this thread found at the folder holding its last
 * component, so that the next walk in the same folder (a tar, a build)
 * starts there. Valid while the tree's change count stays @changes - 1;
 * a state that needs the overlay on disk (canon, in upper) is only kept
 * for folders found in the overlay, which change only through the shim. */
struct walk_cache {
	uint32_t changes; /* the tree's change count + 1; 0 while empty */
	uint32_t len;
	uint64_t h;
	unsigned char hidden, exact, canon, in_upper;
	char dir[240];
};
static __thread struct walk_cache walk_cache __attribute__((tls_model("initial-exec")));

static int walk_cache_get(const char *dir, size_t len, uint32_t changes, struct walk_cache *out)
{
	struct walk_cache *c = &walk_cache;

	if (__atomic_load_n(&c->changes, __ATOMIC_RELAXED) != changes + 1 || c->len != len ||
	    memcmp(c->dir, dir, len))
		return 0;
	*out = *c;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	/* A signal handler of this thread may have refilled it meanwhile. */
	return __atomic_load_n(&c->changes, __ATOMIC_RELAXED) == changes + 1 && out->len == len &&
	       !memcmp(out->dir, dir, len);
}

/* Keep @state (its hash and flags) as folder @dir's. */
static void walk_cache_put(const char *dir, size_t len, uint32_t changes,
			   const struct walk_cache *state)
{
	struct walk_cache *c = &walk_cache;

	if (len >= sizeof(c->dir))
		return;
	/* Invalidate first: a signal handler may walk while the fields change. */
	__atomic_store_n(&c->changes, 0, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	memcpy(c->dir, dir, len);
	c->len = (uint32_t)len;
	c->h = state->h;
	c->hidden = state->hidden;
	c->exact = state->exact;
	c->canon = state->canon && state->in_upper;
	c->in_upper = state->in_upper;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&c->changes, changes + 1, __ATOMIC_RELAXED);
}

void rw_view_changed(void)
{
	if (!rw_sess.ix)
		return;
	if (rw_sess.ix_ro)
		rw_helper_call(RW_HELP_CHANGED, "/", 1);
	else
		rw_index_changed(rw_sess.ix);
}

int rw_view_mark(const char *path, size_t len, enum rw_mark mark)
{
	if (!rw_sess.ix_ro) {
		rw_index_mark(rw_sess.ix, path, len, mark);
		return 0;
	}
	return rw_helper_call(mark == RW_MARK_ENTRY ? RW_HELP_MARK_ENTRY : RW_HELP_MARK_SHADOW, path,
			      len);
}

/*
 * The walk goes down one component at a time and touches the disk only
 * where the index says the overlay may hold something, or where the
 * answer needs the lower layer. What it knows about the folder reached:
 *   hidden  nothing of the lower layer shows here (opaque, or new);
 *   exact   hidden because the folder is new: everything in it was made
 *           through the shim and marked, so an unmarked name is absent;
 *           below an opaque folder a moved folder's entries are known by
 *           their old names, so there every name is looked at;
 *   canon   every component a write depends on was looked at.
 */
static inline __attribute__((always_inline)) int resolve(const char *abs, size_t abslen,
							   int trailing, int flags,
							   struct rw_loc *loc)
{
	RW_BUSY_SCOPE();
	char walk[PATH_MAX];
	char *cur = loc->path;
	size_t curlen, known;
	const char *p;
	uint64_t h;
	int hops = 0, hidden, exact, canon, cur_upper, parent_upper = 0, lower_link = 0;
	int live = rw_sess.ix && !rw_index_empty(rw_sess.ix);
	int follow = (flags & RW_FOLLOW) || trailing;
	uint32_t changes = live ? rw_index_changes(rw_sess.ix) : 0;
	const char *lastname;
	size_t plen;
	struct walk_cache wc;
	int cached, put = 0;

	memcpy(walk, abs, abslen);
	walk[abslen] = '\0';
restart:
	cur[0] = '/';
	cur[1] = '\0';
	curlen = 1;
	h = rw_index_hash("", 0);
	hidden = exact = cur_upper = 0;
	canon = 1;
	loc->whiteout = 0;
	loc->canon = 1;
	loc->parent_upper = 0;
	if (!walk[1]) {
		/* The root: a folder in both layers once the overlay exists. */
		if (real_fstatat(AT_FDCWD, "/", &loc->st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		loc->layer = live ? RW_MERGED : RW_LOWER;
		loc->hidden = 0;
		loc->len = 1;
		return 0;
	}
	p = walk + 1;
	known = 0;
	cached = put = 0;
	plen = live && !hops ? rw_path_split(walk, strlen(walk), &lastname) : 0;
	if (plen > 1 && walk_cache_get(walk, plen, changes, &wc) && (wc.canon || !(flags & RW_CANON))) {
		/* This thread walked to this folder already: start there. */
		memcpy(cur, walk, plen);
		cur[plen] = '\0';
		curlen = plen;
		h = wc.h;
		hidden = wc.hidden;
		exact = wc.exact;
		canon = wc.canon;
		cur_upper = wc.in_upper;
		p = lastname;
		cached = 1;
	} else if ((flags & RW_CANON) && live && !hops) {
		/* Overlay folders are only ever made at canonical paths (every
		 * write walks with RW_CANON), so when the parent is one, its
		 * ancestors need no lower look: one look in upper/ instead of
		 * one per component. */
		known = canonical_parent(walk, plen);
	}
	for (; *p;) {
		const char *c = p;
		size_t clen, nextlen;
		int last, in_upper = 0, wh = 0, shadow;
		uint64_t hnext;
		struct stat ust, lst;

		while (*p && *p != '/')
			p++;
		clen = (size_t)(p - c);
		if (*p == '/')
			p++;
		last = !*p;
		nextlen = curlen == 1 ? 1 + clen : curlen + 1 + clen;
		if (nextlen >= PATH_MAX)
			return -ENAMETOOLONG;
		if (curlen > 1)
			cur[curlen] = '/';
		memmove(cur + nextlen - clen, c, clen);
		cur[nextlen] = '\0';
		hnext = rw_index_hash_more(h, cur + nextlen - clen - 1, clen + 1);
		shadow = live && rw_index_marked_hash(rw_sess.ix, hnext, RW_MARK_SHADOW);
		parent_upper = cur_upper;
		if (last && plen > 1 && curlen == plen && !cached) {
			/* The folder's state, kept below once it is known to exist. */
			put = 1;
			wc.h = h;
			wc.hidden = (unsigned char)hidden;
			wc.exact = (unsigned char)exact;
			wc.canon = (unsigned char)canon;
		}

		/* An ancestor marked ENTRY alone is a mirrored folder, which merges
		 * by construction: only what changes the walk (SHADOW) is worth a
		 * look on the way; the last component is looked at if marked at all. */
		if (live && ((hidden && !exact) || shadow ||
			     (last && rw_index_marked_hash(rw_sess.ix, hnext, RW_MARK_ENTRY)))) {
			if (upper_stat(cur, nextlen, &ust) == 0)
				in_upper = 1;
			else if (!hidden)
				wh = upper_has(cur, nextlen, WH_PREFIX);
		}
		if (in_upper) {
			if (S_ISLNK(ust.st_mode) && (!last || follow)) {
				if (++hops > MAX_SYMLINKS)
					return -ELOOP;
				int r = splice_link(walk, cur, curlen, 1, cur, nextlen, p);
				if (r < 0)
					return r;
				goto restart;
			}
			if (!S_ISDIR(ust.st_mode)) {
				if (!last)
					return -ENOTDIR;
				loc->layer = RW_UPPER;
				loc->st = ust;
				goto found;
			}
			/* A folder: merged with a lower one unless the lower is hidden. */
			int opaque = shadow && is_opaque(cur, nextlen);
			int lower_dir = !hidden && !opaque &&
					(last || shadow) &&
					real_fstatat(AT_FDCWD, cur, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
					S_ISDIR(lst.st_mode);
			if (last) {
				loc->layer = RW_UPPER;
				loc->st = ust;
				if (lower_dir) {
					/* Keep the lower identity, so that a folder keeps its
					 * device and inode when something inside it changes;
					 * nlink 1 tells walkers not to count subfolders. */
					loc->layer = RW_MERGED;
					loc->st.st_dev = lst.st_dev;
					loc->st.st_ino = lst.st_ino;
					loc->st.st_nlink = 1;
				}
				hidden = hidden || opaque || loc->layer == RW_UPPER;
				goto found;
			}
			/* A folder the walk had to look at (SHADOW) is new when the
			 * lower has no folder there: its names are all marked. */
			if (opaque) {
				hidden = 1;
				exact = 0;
			} else if (!hidden && shadow && !lower_dir) {
				hidden = exact = 1;
			}
			canon = 1;
			cur_upper = 1;
			goto next;
		}
		if (wh || hidden) {
			if (!last)
				return -ENOENT;
			loc->layer = RW_NONE;
			loc->whiteout = wh;
			hidden = 1;
			goto found;
		}
		/* Only the lower layer can have it. */
		if (last || ((flags & RW_CANON) && nextlen > known) || shadow) {
			if (real_fstatat(AT_FDCWD, cur, &lst, AT_SYMLINK_NOFOLLOW) < 0) {
				int e = errno;
				if (last && e == ENOENT) {
					loc->layer = RW_NONE;
					goto found;
				}
				return -e;
			}
			if (S_ISLNK(lst.st_mode) && (!last || follow)) {
				if (++hops > MAX_SYMLINKS)
					return -ELOOP;
				/* Reads through this link must find what writes put
				 * behind it: mark it for every process of the tree. */
				if ((flags & RW_CANON) && rw_sess.ix) {
					rw_view_mark(cur, nextlen, RW_MARK_SHADOW);
					rw_view_changed();
				} else
					lower_link = 1;
				int r = splice_link(walk, cur, curlen, 0, cur, nextlen, p);
				if (r < 0)
					return r;
				goto restart;
			}
			if (last) {
				loc->layer = RW_LOWER;
				loc->st = lst;
				goto found;
			}
			if (!S_ISDIR(lst.st_mode))
				return -ENOTDIR;
		} else if (nextlen > known) {
			canon = 0;
		}
		cur_upper = nextlen == known;
next:
		curlen = nextlen;
		h = hnext;
	}
	/* Only reached for a walk that ends in "/" handled above. */
	return -ENOENT;
found:
	loc->len = strlen(cur);
	loc->hidden = hidden;
	/* A followed read-only link must be marked, which only RW_CANON does. */
	loc->canon = canon && !lower_link;
	loc->parent_upper = parent_upper;
	/* A folder the walk did not look at may not exist; were it made later
	 * as a link in the overlay, a kept state would miss the link. Found
	 * in the overlay, or holding what was found, it exists. */
	if (put && (parent_upper || loc->layer != RW_NONE)) {
		wc.in_upper = (unsigned char)parent_upper;
		walk_cache_put(walk, plen, changes, &wc);
	}
	/* A write goes where the path resolves: through a link into /proc, /sys,
	 * /dev or an excluded tree it fails as it would without rwshim. */
	if ((flags & RW_CANON) && excluded(loc->path, loc->len))
		return -EROFS;
	if (trailing && loc->layer != RW_NONE && !S_ISDIR(loc->st.st_mode))
		return -ENOTDIR;
	return 0;
}

int rw_view_resolve(const struct rw_vpath *vp, int flags, struct rw_loc *loc)
{
	return resolve(vp->abs, vp->len, vp->trailing, flags, loc);
}

int rw_view_resolve_path(const char *path, size_t len, int flags, struct rw_loc *loc)
{
	return resolve(path, len, 0, flags, loc);
}

/* ---- changes ---------------------------------------------------------------- */

int rw_view_mark_new(const char *path, size_t len)
{
	if (rw_sess.ix_ro)
		return rw_helper_call(RW_HELP_MARK_NEW, path, len);
	rw_index_mark(rw_sess.ix, path, len, RW_MARK_ENTRY);
	rw_index_mark(rw_sess.ix, path, len, RW_MARK_SHADOW);
	return 0;
}

int rw_view_in_own_dir(const char *rel, int (*op)(void *arg), void *arg)
{
	char dir[PATH_MAX];
	const char *name;
	size_t dlen;
	struct stat st;
	int r = op(arg), r2;

	if (r != -EACCES || geteuid() == 0)
		return r;
	dlen = rw_path_split(rel, strlen(rel), &name);
	if (name == rel || dlen >= sizeof(dir))
		return r;
	memcpy(dir, rel, dlen);
	dir[dlen] = '\0';
	if (rw_store_stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & S_IWUSR))
		return r;
	if (rw_store_chmod(dir, (st.st_mode & 07777) | S_IWUSR | S_IXUSR) < 0)
		return r;
	r = op(arg);
	r2 = rw_store_chmod(dir, st.st_mode & 07777);
	return r < 0 ? r : (r2 < 0 ? r2 : r);
}

struct move {
	const char *from, *to;
};

static int move_into_place(void *arg)
{
	struct move *m = arg;

	return rw_store_rename(m->from, m->to, RENAME_NOREPLACE);
}

int rw_view_place(const char *tmp, const char *rel)
{
	struct move m = { tmp, rel };

	return rw_view_in_own_dir(rel, move_into_place, &m);
}

int rw_view_mirror_dir(const char *lower, const char *rel, const struct stat *lst)
{
	char tmp[RW_TMP_NAME_MAX];
	struct timespec ts[2] = { lst->st_atim, lst->st_mtim };
	int r = rw_session_new_dir(tmp, lst);

	if (r < 0)
		return r;
	rw_copy_xattrs(lower, tmp);
	r = rw_view_place(tmp, rel);
	if (r < 0) {
		rw_store_unlink(tmp, AT_REMOVEDIR);
		return r;
	}
	rw_session_dir_placed(rel, lst);
	/* Last: moving it in changed its times. */
	rw_store_utimens(rel, ts);
	return 0;
}

int rw_view_make_parents(const char *path, size_t len)
{
	RW_BUSY_SCOPE();
	/* One buffer: each ancestor's storage path "upper/a/b", whose tail
	 * "/a/b" (@anc) is its lower path. rw_store_* cut the storage path at
	 * its last '/' while they work, never while @anc is read. */
	char rel[PATH_MAX], *anc = rel + 5;
	const char *name;
	size_t plen = rw_path_split(path, len, &name), i;
	struct stat st, lst;

	if (plen <= 1)
		return 0;
	if (plen + 6 > sizeof(rel))
		return -ENAMETOOLONG;
	memcpy(rel, "upper", 5);
	memcpy(anc, path, plen);
	anc[plen] = '\0';
	/* Cheap common case: the parent is already there. */
	if (rw_index_marked(rw_sess.ix, anc, plen, RW_MARK_ENTRY) && rw_store_stat(rel, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	/* Mirrors must carry the originals' owners, which only root can give. */
	if (rw_helper_needed())
		return rw_helper_call(RW_HELP_PARENTS, path, len);
	for (i = 1; i <= plen; i++) {
		if (i < plen && anc[i] != '/')
			continue;
		anc[i] = '\0';
		if (!(rw_index_marked(rw_sess.ix, anc, i, RW_MARK_ENTRY) && rw_store_stat(rel, &st) == 0)) {
			if (real_fstatat(AT_FDCWD, anc, &lst, AT_SYMLINK_NOFOLLOW) < 0)
				return -errno;
			if (!S_ISDIR(lst.st_mode))
				return -ENOTDIR;
			{
				int r = rw_view_mark(anc, i, RW_MARK_ENTRY);
				if (r == 0)
					r = rw_view_mirror_dir(anc, rel, &lst);
				if (r < 0 && r != -EEXIST)
					return r;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			return -ENOTDIR;
		}
		if (i < plen)
			anc[i] = '/';
	}
	return 0;
}

/* Make the empty marker file @rel (a whiteout or an opaque marker). */
static int make_marker(const char *rel)
{
	int fd = rw_store_open(rel, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return fd;
	rw_store_close(fd);
	return 0;
}

/* Make the whiteout of @path once its parents are there. Not inlined: its
 * storage path is on the stack only while it makes it. */
static __attribute__((noinline)) int make_whiteout(const char *path, size_t len)
{
	char rel[PATH_MAX];
	long r = sibling_rel(path, len, WH_PREFIX, rel, sizeof(rel));

	if (r < 0)
		return (int)r;
	if ((r = rw_view_mark_new(path, len)) < 0)
		return (int)r;
	r = make_marker(rel);
	rw_view_changed();
	return (int)r;
}

int rw_view_whiteout(const char *path, size_t len)
{
	RW_BUSY_SCOPE();
	const char *name;
	long r;

	/* A whiteout that cannot be named fails before anything is made: its
	 * storage path is "upper" + @path with WH_PREFIX before the name. */
	rw_path_split(path, len, &name);
	if (strlen(name) + strlen(WH_PREFIX) > NAME_MAX ||
	    strlen("upper") + len + strlen(WH_PREFIX) + 1 > PATH_MAX)
		return -ENAMETOOLONG;
	r = rw_view_make_parents(path, len);
	if (r < 0)
		return (int)r;
	return make_whiteout(path, len);
}

void rw_view_unwhiteout(const char *path, size_t len)
{
	RW_BUSY_SCOPE();
	char rel[PATH_MAX];

	if (sibling_rel(path, len, WH_PREFIX, rel, sizeof(rel)) >= 0)
		rw_store_unlink(rel, 0);
}

int rw_view_make_opaque(const char *path, size_t len)
{
	RW_BUSY_SCOPE();
	char rel[PATH_MAX];
	long r = rw_view_upper_rel(path, len, rel, sizeof(rel));

	if (r < 0 || (size_t)r + sizeof("/" WH_OPAQUE) > sizeof(rel))
		return -ENAMETOOLONG;
	memcpy(rel + r, "/" WH_OPAQUE, sizeof("/" WH_OPAQUE));
	if ((r = rw_view_mark(path, len, RW_MARK_SHADOW)) < 0)
		return (int)r;
	r = make_marker(rel);
	rw_view_changed();
	return (int)r;
}

int rw_view_lower_exists(const struct rw_loc *loc)
{
	RW_BUSY_SCOPE();
	struct stat st;

	if (loc->layer == RW_LOWER || loc->layer == RW_MERGED)
		return 1;
	if (loc->hidden && loc->layer != RW_UPPER)
		return 0;
	if (loc->layer == RW_UPPER) {
		/* Hidden below an opaque or new folder, or lower simply absent. */
		const char *name;
		size_t plen = rw_path_split(loc->path, loc->len, &name);
		struct rw_loc ploc;

		if (plen > 1 && (rw_view_resolve_path(loc->path, plen, 0, &ploc) < 0 ||
				 ploc.layer != RW_MERGED))
			return 0;
	}
	return real_fstatat(AT_FDCWD, loc->path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int rw_view_name_hidden(int upperfd, uint64_t dirhash, const char *name)
{
	RW_BUSY_SCOPE();
	char wh[NAME_MAX + 8];
	struct stat st;
	size_t n = strlen(name);
	uint64_t h = rw_index_hash_more(rw_index_hash_more(dirhash, "/", 1), name, n);

	if (!rw_index_marked_hash(rw_sess.ix, h, RW_MARK_ENTRY))
		return 0;
	if (real_fstatat(upperfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	if (n + 4 > NAME_MAX)
		return 0;
	memcpy(wh, WH_PREFIX, 4);
	memcpy(wh + 4, name, n + 1);
	return real_fstatat(upperfd, wh, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int rw_view_dir_nonempty(const struct rw_loc *loc)
{
	RW_BUSY_SCOPE();
	char buf[2048], rel[PATH_MAX];
	int ufd = -1, lfd = -1, found = 0;
	long n, off;
	uint64_t h = rw_index_hash(loc->path, loc->len == 1 ? 0 : loc->len);

	if (loc->layer == RW_UPPER || loc->layer == RW_MERGED) {
		if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0)
			return -ENAMETOOLONG;
		ufd = rw_store_open(rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (ufd < 0)
			return ufd;
		while (!found && (n = real_getdents64(ufd, buf, sizeof(buf))) > 0)
			for (off = 0; off < n && !found;) {
				struct dirent64 *d = (struct dirent64 *)(buf + off);
				off += d->d_reclen;
				if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
				    strncmp(d->d_name, WH_PREFIX, 4))
					found = 1;
			}
	}
	if (!found && (loc->layer == RW_LOWER || loc->layer == RW_MERGED)) {
		lfd = real_openat(AT_FDCWD, loc->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (lfd < 0) {
			found = -errno;
		} else {
			while (!found && (n = real_getdents64(lfd, buf, sizeof(buf))) > 0)
				for (off = 0; off < n && !found;) {
					struct dirent64 *d = (struct dirent64 *)(buf + off);
					off += d->d_reclen;
					if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
						continue;
					if (ufd < 0 || !rw_view_name_hidden(ufd, h, d->d_name))
						found = 1;
				}
			real_close(lfd);
		}
	}
	if (ufd >= 0)
		real_close(ufd);
	return found;
}
