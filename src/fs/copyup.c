/* SPDX-License-Identifier: MIT */
/*
 * fs/copyup.c - atomic copy-up (see copyup.h). Data moves with
 * copy_file_range, which shares extents where the storage allows it, span
 * by span so that holes stay holes, and falls back to sendfile and then to
 * a small stack buffer.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "core/index.h"
#include "fs/copyup.h"
#include "fs/helper.h"
#include "fs/real.h"
#include "fs/session.h"
#include "fs/store.h"
#include "fs/xattrs.h"
#include "rwshim.h"

/* Copy @len bytes at @off of @in to the same place in @out, inside the
 * kernel where it can: copy_file_range shares extents on one filesystem,
 * sendfile crosses from the read-only one; plain reads and writes last. */
static int copy_span(int in, int out, off_t off, off_t len)
{
	char buf[4096];
	off_t ioff = off, ooff = off, end = off + len;
	ssize_t n;

	while (ioff < end) {
		n = copy_file_range(in, &ioff, out, &ooff, (size_t)(end - ioff), 0);
		if (n == 0)
			return 0; /* the source shrank: what is there is copied */
		if (n < 0)
			break;
	}
	if (ioff >= end)
		return 0;
	if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
		return -errno;
	/* sendfile writes at the file position, which is 0 for the first span. */
	if (ooff != 0 && lseek(out, ooff, SEEK_SET) < 0)
		return -errno;
	while (ioff < end) {
		n = sendfile(out, in, &ioff, (size_t)(end - ioff));
		if (n == 0)
			return 0;
		if (n < 0)
			break;
	}
	if (ioff >= end)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	while (ioff < end) {
		size_t want = (size_t)(end - ioff) < sizeof(buf) ? (size_t)(end - ioff) : sizeof(buf);
		char *p = buf;
		n = pread(in, buf, want, ioff);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ioff += n;
		while (n > 0) {
			ssize_t w = pwrite(out, p, (size_t)n, ooff);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			p += w;
			ooff += w;
			n -= w;
		}
	}
	return 0;
}

/* Copy the content of @in (@size bytes) to @out, holes kept as holes: only
 * the spans SEEK_DATA finds are copied, and the size is set at the end. */
static int copy_data(int in, int out, const struct stat *st)
{
	off_t size = st->st_size, data = 0, hole;
	int r;

	/* Blocks for every byte: no hole to look for. */
	if ((off_t)st->st_blocks * 512 >= size)
		return copy_span(in, out, 0, size);
	while (data < size) {
		data = lseek(in, data, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break; /* only a hole is left */
			/* No hole support: the whole file is data. */
			return copy_span(in, out, 0, size);
		}
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0 || hole > size)
			hole = size;
		if ((r = copy_span(in, out, data, hole - data)) < 0)
			return r;
		data = hole;
	}
	return ftruncate(out, size) < 0 ? -errno : 0;
}

/* The mode a copy of a file whose status is @st may have: set-id bits only
 * where the copy has the owner (and group) they were found with. */
static mode_t copy_mode(const struct stat *st)
{
	mode_t mode = st->st_mode & 07777;

	if (geteuid() != 0) {
		if (st->st_uid != geteuid())
			mode &= ~(mode_t)S_ISUID;
		if (st->st_gid != getegid())
			mode &= ~(mode_t)S_ISGID;
	}
	return mode;
}

/* Copy the regular file at @loc into work/ as @tmp. Content, owner, mode,
 * times and attributes all come from one descriptor, opened once: a path
 * swapped between a look and the copy can change which file is copied,
 * never give one file's content another's owner and set-id bits. */
static int copy_regular(const struct rw_loc *loc, const char *tmp, int with_data)
{
	struct stat st;
	struct timespec ts[2];
	int in, out, r = 0;

	in = real_openat(AT_FDCWD, loc->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (in < 0 && !with_data && errno == EACCES)
		in = real_openat(AT_FDCWD, loc->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return errno == ELOOP ? -EAGAIN : -errno;
	if (fstat(in, &st) < 0) {
		r = -errno;
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != loc->st.st_dev || st.st_ino != loc->st.st_ino) {
		/* Not what the walk found (the helper's walked as its caller):
		 * a folder on the way changed under us. */
		r = -EAGAIN;
		goto done;
	}
	out = rw_store_open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		r = out;
		goto done;
	}
	if (with_data)
		r = copy_data(in, out, &st);
	/* Owner before mode: chown clears set-id bits. */
	if (!r && geteuid() == 0)
		real_fchown(out, st.st_uid, st.st_gid);
	if (!r && real_fchmod(out, copy_mode(&st)) < 0)
		r = -errno;
	if (!r && with_data)
		rw_copy_fd_xattrs(in, out);
	if (!r && with_data) {
		ts[0] = st.st_atim;
		ts[1] = st.st_mtim;
		real_futimens(out, ts);
	}
	if (real_close(out) < 0 && !r)
		r = -errno;
done:
	real_close(in);
	return r;
}

/* Copy the link at @loc into work/ as @tmp: target and owner from one
 * descriptor of the link itself. Not inlined: its target buffer is on the
 * stack only while it copies. */
static __attribute__((noinline)) int copy_symlink(const struct rw_loc *loc, const char *tmp)
{
	char target[PATH_MAX];
	struct stat st;
	struct timespec ts[2];
	int in = real_openat(AT_FDCWD, loc->path, O_PATH | O_NOFOLLOW | O_CLOEXEC), r;
	ssize_t n = 0;

	if (in < 0)
		return -errno;
	if (fstat(in, &st) < 0)
		r = -errno;
	else if (!S_ISLNK(st.st_mode) || st.st_dev != loc->st.st_dev || st.st_ino != loc->st.st_ino)
		r = -EAGAIN; /* not what the walk found: it changed under us */
	else if ((n = real_readlinkat(in, "", target, sizeof(target) - 1)) < 0)
		r = -errno;
	else
		r = 0;
	real_close(in);
	if (r < 0)
		return r;
	target[n] = '\0';
	if ((r = rw_store_symlink(target, tmp)) < 0)
		return r;
	if (geteuid() == 0)
		rw_store_chown(tmp, st.st_uid, st.st_gid);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	rw_store_utimens(tmp, ts);
	return 0;
}

/* The copy itself, once the parents are there: a function of its own so
 * that its storage path is not on the stack while they are made. */
static __attribute__((noinline)) int copy_entry(const struct rw_loc *loc, int with_data)
{
	char rel[PATH_MAX], tmp[RW_TMP_NAME_MAX];
	int r;

	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	if ((r = rw_view_mark(loc->path, loc->len, RW_MARK_ENTRY)) < 0)
		return r;

	if (S_ISDIR(loc->st.st_mode)) {
		r = rw_view_mirror_dir(loc->path, rel, &loc->st);
		return r == -EEXIST ? 0 : r;
	}
	rw_session_tmp_name(tmp);
	if (S_ISREG(loc->st.st_mode)) {
		r = copy_regular(loc, tmp, with_data);
	} else if (S_ISLNK(loc->st.st_mode)) {
		if ((r = rw_view_mark(loc->path, loc->len, RW_MARK_SHADOW)) == 0)
			r = copy_symlink(loc, tmp);
	} else {
		/* Devices, fifos and sockets keep their lower identity. */
		return -EROFS;
	}
	if (r == 0 && S_ISLNK(loc->st.st_mode))
		rw_copy_xattrs(loc->path, tmp);
	if (r == 0) {
		r = rw_view_place(tmp, rel);
		if (r == 0)
			return 0;
		if (r == -EEXIST)
			r = 0;
	}
	rw_store_unlink(tmp, 0);
	return r;
}

int rw_copy_up(const struct rw_loc *loc, int with_data)
{
	RW_BUSY_SCOPE();
	int r;

	if (loc->layer != RW_LOWER)
		return loc->layer == RW_NONE ? -ENOENT : 0;
	/* A copy must keep the original's owner, which only root can give. */
	if (rw_helper_needed())
		return rw_helper_call(with_data ? RW_HELP_COPY : RW_HELP_COPY_META, loc->path, loc->len);
	if (loc->len + 6 > PATH_MAX)
		return -ENAMETOOLONG;
	if (!loc->parent_upper && (r = rw_view_make_parents(loc->path, loc->len)) < 0)
		return r;
	return copy_entry(loc, with_data);
}

/*
 * Copying a whole folder walks the lower tree depth first without recursion:
 * one folder is open at a time (its lower and overlay halves, two
 * descriptors), and the stack holds one struct rw_loc whose path is the
 * folder being copied, whatever the depth. Going down, the listing position
 * after the subfolder (its d_off) is kept for the first WALK_KEPT levels;
 * coming back up from deeper, the place is found again by the subfolder's
 * name, which is the last component of the path: the lower tree is
 * read-only, so its listing order does not change under the walk.
 */
#define WALK_KEPT 32

/* A folder of the walk: its two halves and what rw_view_name_hidden needs. */
struct walk_dir {
	int lfd, ufd;
	uint64_t h;
};

/* Open the folder at @path (@len bytes): 1 with both halves open, 0 when it
 * has no lower half (the folder is the overlay's own: nothing to copy),
 * or -errno. A function of its own so that its storage path is not on the
 * stack while the walk copies. */
static __attribute__((noinline)) int walk_open(const char *path, size_t len, struct walk_dir *w)
{
	char rel[PATH_MAX];

	if (rw_view_upper_rel(path, len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	w->ufd = rw_store_open(rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (w->ufd < 0)
		return w->ufd;
	w->lfd = real_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (w->lfd < 0) {
		int e = errno;
		real_close(w->ufd);
		return e == ENOENT || e == ENOTDIR ? 0 : -e;
	}
	w->h = rw_index_hash(path, len == 1 ? 0 : len);
	return 1;
}

static void walk_close(struct walk_dir *w)
{
	real_close(w->lfd);
	real_close(w->ufd);
}

/* Put the listing of @lfd just after entry @name: 0, or -errno (-ENOENT
 * when the name is gone, which a read-only tree does not do). */
static int walk_seek_after(int lfd, const char *name)
{
	char buf[1024];
	long n, off;

	while ((n = real_getdents64(lfd, buf, sizeof(buf))) > 0)
		for (off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			if (!strcmp(d->d_name, name))
				return lseek(lfd, d->d_off, SEEK_SET) < 0 ? -errno : 0;
		}
	return n < 0 ? -errno : -ENOENT;
}

/* Append @name to folder path @path (@len bytes); the new length, or 0
 * when it would not fit. */
static size_t path_push(char *path, size_t len, const char *name)
{
	size_t nl = strlen(name), at = len == 1 ? 1 : len + 1;

	if (at + nl >= PATH_MAX)
		return 0;
	path[len] = '/';
	memcpy(path + at, name, nl + 1);
	return at + nl;
}

/* Take the last name off @path (@len bytes, not the root), copying it to
 * @name (NAME_MAX + 1 bytes) when @name is not NULL: the parent's length. */
static size_t path_pop(char *path, size_t len, char *name)
{
	size_t i = len;

	while (i > 0 && path[i - 1] != '/')
		i--;
	if (name) {
		size_t nl = len - i < NAME_MAX ? len - i : NAME_MAX;
		memcpy(name, path + i, nl);
		name[nl] = '\0';
	}
	i = i > 1 ? i - 1 : 1;
	path[i] = '\0';
	return i;
}

/* Copy up what lower folder @cur->path (@cur->len bytes) and everything
 * below it show through the overlay. @cur is the walk's one path buffer:
 * it names the folder being copied, and is given back as it came. */
static int copy_children(struct rw_loc *cur)
{
	char buf[1024], name[NAME_MAX + 1];
	long kept[WALK_KEPT], resume = 0; /* 0: from the start; > 0: a d_off; -1: after @name */
	struct walk_dir w = { -1, -1, 0 };
	size_t top = cur->len, depth = 0;
	long n = 0, off;
	int r = 0, down;

	for (;;) {
		/* Open the folder and go to where its listing resumes. */
		r = walk_open(cur->path, cur->len, &w);
		if (r <= 0) {
			w.lfd = -1;
			if (r < 0)
				goto fail;
		} else if (resume == -1) {
			r = walk_seek_after(w.lfd, name);
		} else if (resume > 0 && lseek(w.lfd, resume, SEEK_SET) < 0) {
			r = -errno;
		} else {
			r = 0;
		}
		if (r < 0)
			goto fail;
		/* Copy its entries until one is a folder to go down into. */
		down = 0;
		while (w.lfd >= 0 && !down && (n = real_getdents64(w.lfd, buf, sizeof(buf))) > 0) {
			for (off = 0; off < n && !down;) {
				struct dirent64 *d = (struct dirent64 *)(buf + off);
				size_t plen = cur->len;
				struct stat st;
				int upper_has;

				off += d->d_reclen;
				if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
					continue;
				if (!(cur->len = path_push(cur->path, plen, d->d_name))) {
					cur->len = plen;
					r = -ENAMETOOLONG;
					goto fail;
				}
				upper_has = real_fstatat(w.ufd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0;
				if (upper_has && S_ISDIR(st.st_mode)) {
					/* A merged subfolder: its lower half still needs copying. */
					down = 1;
				} else if (!upper_has && !rw_view_name_hidden(w.ufd, w.h, d->d_name)) {
					if (real_fstatat(AT_FDCWD, cur->path, &cur->st, AT_SYMLINK_NOFOLLOW) < 0) {
						r = -errno;
						goto fail;
					}
					cur->layer = RW_LOWER;
					cur->whiteout = 0;
					cur->hidden = 0;
					cur->canon = 1;
					cur->parent_upper = 1; /* w.ufd is its folder */
					if ((r = rw_copy_up(cur, 1)) < 0)
						goto fail;
					down = S_ISDIR(cur->st.st_mode);
				}
				if (down) {
					/* The path names the subfolder now: go down into it. */
					if (depth < WALK_KEPT)
						kept[depth] = d->d_off > 0 ? d->d_off : -1;
					depth++;
				} else {
					cur->len = path_pop(cur->path, cur->len, NULL);
				}
			}
		}
		if (w.lfd >= 0) {
			if (!down && n < 0) {
				r = -errno;
				goto fail;
			}
			walk_close(&w);
			w.lfd = -1;
		}
		if (down) {
			resume = 0;
			continue;
		}
		/* Done with this folder: up, to just after it in its parent. */
		if (depth == 0)
			return 0;
		depth--;
		cur->len = path_pop(cur->path, cur->len, name);
		resume = depth < WALK_KEPT ? kept[depth] : -1;
	}
fail:
	if (w.lfd >= 0)
		walk_close(&w);
	while (cur->len > top)
		cur->len = path_pop(cur->path, cur->len, NULL);
	return r;
}

int rw_copy_up_tree(struct rw_loc *loc)
{
	RW_BUSY_SCOPE();
	struct stat st;
	enum rw_layer layer;
	size_t len = loc->len;
	int r, whiteout, hidden, canon, parent_upper;

	if (!S_ISDIR(loc->st.st_mode))
		return -ENOTDIR;
	if (loc->layer == RW_LOWER && (r = rw_copy_up(loc, 0)) < 0)
		return r;
	/* The walk's path buffer is @loc's own (a second struct rw_loc would
	 * put PATH_MAX more on the stack): copy_children gives its path back
	 * as it came; the rest is put back here. */
	st = loc->st;
	layer = loc->layer;
	whiteout = loc->whiteout;
	hidden = loc->hidden;
	canon = loc->canon;
	parent_upper = loc->parent_upper;
	r = copy_children(loc);
	loc->st = st;
	loc->layer = layer;
	loc->whiteout = whiteout;
	loc->hidden = hidden;
	loc->canon = canon;
	loc->parent_upper = parent_upper;
	loc->len = len;
	loc->path[len] = '\0';
	if (r < 0)
		return r;
	return rw_view_make_opaque(loc->path, loc->len);
}
