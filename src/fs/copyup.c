/* SPDX-License-Identifier: MIT */
/*
 * fs/copyup.c - atomic copy-up (see copyup.h). Data moves with
 * copy_file_range, which shares extents where the storage allows it and
 * falls back to a small stack buffer otherwise.
 */
#include <errno.h>
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
#include "fs/xattrs.h"
#include "rwshim.h"

static int copy_data(int in, int out)
{
	char buf[16384];
	ssize_t n;

	for (;;) {
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n < 0)
			break;
	}
	if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
		return -errno;
	/* copy_file_range cannot cross from the read-only filesystem to the
	 * storage's: sendfile still copies inside the kernel. */
	for (;;) {
		n = sendfile(out, in, NULL, 1 << 30);
		if (n == 0)
			return 0;
		if (n < 0)
			break;
	}
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* Neither can: plain reads and writes. */
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		char *p = buf;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			p += w;
			n -= w;
		}
	}
	return 0;
}

static int copy_regular(const struct rw_loc *loc, const char *tmp, int with_data)
{
	struct timespec ts[2] = { loc->st.st_atim, loc->st.st_mtim };
	int in = -1, out, r = 0;

	if (with_data) {
		in = real_openat(AT_FDCWD, loc->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0)
			return -errno;
	}
	out = real_openat(rw_sess.fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		r = -errno;
		goto done;
	}
	if (with_data)
		r = copy_data(in, out);
	/* Owner before mode: chown clears set-id bits. */
	if (!r && geteuid() == 0)
		real_fchown(out, loc->st.st_uid, loc->st.st_gid);
	if (!r && real_fchmod(out, loc->st.st_mode & 07777) < 0)
		r = -errno;
	if (!r && with_data)
		real_futimens(out, ts);
	if (real_close(out) < 0 && !r)
		r = -errno;
done:
	if (in >= 0)
		real_close(in);
	return r;
}

static int copy_symlink(const struct rw_loc *loc, const char *tmp)
{
	char target[PATH_MAX];
	struct timespec ts[2] = { loc->st.st_atim, loc->st.st_mtim };
	ssize_t n = real_readlinkat(AT_FDCWD, loc->path, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (real_symlinkat(target, rw_sess.fd, tmp) < 0)
		return -errno;
	if (geteuid() == 0)
		real_fchownat(rw_sess.fd, tmp, loc->st.st_uid, loc->st.st_gid, AT_SYMLINK_NOFOLLOW);
	real_utimensat(rw_sess.fd, tmp, ts, AT_SYMLINK_NOFOLLOW);
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
	rw_index_mark(rw_sess.ix, loc->path, loc->len, RW_MARK_ENTRY);

	if (S_ISDIR(loc->st.st_mode)) {
		r = rw_view_mirror_dir(loc->path, rel, &loc->st);
		return r == -EEXIST ? 0 : r;
	}
	rw_session_tmp_name(tmp);
	if (S_ISREG(loc->st.st_mode)) {
		r = copy_regular(loc, tmp, with_data);
	} else if (S_ISLNK(loc->st.st_mode)) {
		rw_index_mark(rw_sess.ix, loc->path, loc->len, RW_MARK_SHADOW);
		r = copy_symlink(loc, tmp);
	} else {
		/* Devices, fifos and sockets keep their lower identity. */
		return -EROFS;
	}
	if (r == 0)
		rw_copy_xattrs(loc->path, tmp);
	if (r == 0) {
		r = rw_view_place(tmp, rel);
		if (r == 0)
			return 0;
		if (r == -EEXIST)
			r = 0;
	}
	real_unlinkat(rw_sess.fd, tmp, 0);
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
	ufd = real_openat(rw_sess.fd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd < 0)
		return -errno;
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
