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
	if (lseek(out, ooff, SEEK_SET) < 0)
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
static int copy_data(int in, int out, off_t size)
{
	off_t data = 0, hole;
	int r;

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
		r = copy_data(in, out, st.st_size);
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
 * descriptor of the link itself. */
static int copy_symlink(const struct rw_loc *loc, const char *tmp)
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

int rw_copy_up(const struct rw_loc *loc, int with_data)
{
	RW_BUSY_SCOPE();
	char rel[PATH_MAX], tmp[RW_TMP_NAME_MAX];
	int r;

	if (loc->layer != RW_LOWER)
		return loc->layer == RW_NONE ? -ENOENT : 0;
	/* A copy must keep the original's owner, which only root can give. */
	if (rw_helper_needed())
		return rw_helper_call(with_data ? RW_HELP_COPY : RW_HELP_COPY_META, loc->path, loc->len);
	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	if (!loc->parent_upper && (r = rw_view_make_parents(loc->path, loc->len)) < 0)
		return r;
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

/* Copy up what lower folder @path (@len bytes) shows through the overlay. */
static int copy_children(char *path, size_t len)
{
	char buf[1024], rel[PATH_MAX];
	int lfd, ufd, r = 0;
	uint64_t h = rw_index_hash(path, len == 1 ? 0 : len);
	long n, off;

	if (rw_view_upper_rel(path, len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	ufd = rw_store_open(rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (ufd < 0)
		return ufd;
	lfd = real_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (lfd < 0) {
		/* No lower half (the folder is the overlay's own): nothing to copy. */
		real_close(ufd);
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	}
	while (r == 0 && (n = real_getdents64(lfd, buf, sizeof(buf))) > 0) {
		for (off = 0; r == 0 && off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			size_t nl = strlen(d->d_name);

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (len + 1 + nl >= PATH_MAX) {
				r = -ENAMETOOLONG;
				break;
			}
			/* Build the child's path in place; put the parent back after. */
			path[len] = len == 1 ? '\0' : '/';
			memcpy(path + (len == 1 ? 1 : len + 1), d->d_name, nl + 1);
			{
				size_t clen = (len == 1 ? 1 : len + 1) + nl;
				struct stat st;
				int upper_has = real_fstatat(ufd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0;

				if (upper_has && S_ISDIR(st.st_mode)) {
					/* A merged subfolder: its lower half still needs copying. */
					r = copy_children(path, clen);
				} else if (!upper_has && !rw_view_name_hidden(ufd, h, d->d_name)) {
					struct rw_loc child;
					if (real_fstatat(AT_FDCWD, path, &child.st, AT_SYMLINK_NOFOLLOW) < 0) {
						r = -errno;
					} else {
						child.layer = RW_LOWER;
						child.whiteout = 0;
						child.hidden = 0;
						child.canon = 1;
						child.parent_upper = 1; /* ufd is its folder */
						child.len = clen;
						memcpy(child.path, path, clen + 1);
						r = rw_copy_up(&child, 1);
						if (r == 0 && S_ISDIR(child.st.st_mode))
							r = copy_children(path, clen);
					}
				}
			}
			path[len] = '\0';
			if (len == 1)
				path[1] = '\0';
		}
	}
	real_close(lfd);
	real_close(ufd);
	return r;
}

int rw_copy_up_tree(const struct rw_loc *loc)
{
	RW_BUSY_SCOPE();
	char path[PATH_MAX];
	int r;

	if (!S_ISDIR(loc->st.st_mode))
		return -ENOTDIR;
	if (loc->layer == RW_LOWER && (r = rw_copy_up(loc, 0)) < 0)
		return r;
	memcpy(path, loc->path, loc->len + 1);
	r = copy_children(path, loc->len);
	if (r < 0)
		return r;
	return rw_view_make_opaque(loc->path, loc->len);
}
