/* SPDX-License-Identifier: MIT */
/*
 * fs/copyup.c - atomic copy-up (see copyup.h). Data moves with
 * copy_file_range, which shares extents where the storage allows it and
 * falls back to a small stack buffer otherwise.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/index.h"
#include "fs/copyup.h"
#include "fs/real.h"
#include "fs/session.h"
#include "rwshim.h"

static unsigned int tmp_counter;

/* "work/cu.PID.N": unique within the tree for the life of the call. */
static void tmp_name(char *out)
{
	char digits[24];
	unsigned long v;
	int n, i = 0;
	static const char head[] = "work/cu.";

	memcpy(out, head, sizeof(head) - 1);
	i = sizeof(head) - 1;
	for (int part = 0; part < 2; part++) {
		v = part == 0 ? (unsigned long)getpid()
			      : __atomic_add_fetch(&tmp_counter, 1, __ATOMIC_RELAXED);
		n = 0;
		do
			digits[n++] = (char)('0' + v % 10);
		while ((v /= 10));
		while (n)
			out[i++] = digits[--n];
		out[i++] = part == 0 ? '.' : '\0';
	}
}

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
	/* copy_file_range cannot do this pair: plain reads and writes. */
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
	char rel[PATH_MAX], tmp[64];
	int r;

	if (loc->layer != RW_LOWER)
		return loc->layer == RW_NONE ? -ENOENT : 0;
	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	r = rw_view_make_parents(loc->path, loc->len);
	if (r < 0)
		return r;
	rw_index_mark(rw_sess.ix, loc->path, loc->len, RW_MARK_ENTRY);

	if (S_ISDIR(loc->st.st_mode)) {
		struct timespec ts[2] = { loc->st.st_atim, loc->st.st_mtim };
		if (real_mkdirat(rw_sess.fd, rel, 0700) < 0)
			return errno == EEXIST ? 0 : -errno;
		if (geteuid() == 0)
			real_fchownat(rw_sess.fd, rel, loc->st.st_uid, loc->st.st_gid, AT_SYMLINK_NOFOLLOW);
		real_fchmodat(rw_sess.fd, rel, loc->st.st_mode & 07777, 0);
		real_utimensat(rw_sess.fd, rel, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	tmp_name(tmp);
	if (S_ISREG(loc->st.st_mode)) {
		r = copy_regular(loc, tmp, with_data);
	} else if (S_ISLNK(loc->st.st_mode)) {
		rw_index_mark(rw_sess.ix, loc->path, loc->len, RW_MARK_SHADOW);
		r = copy_symlink(loc, tmp);
	} else {
		/* Devices, fifos and sockets keep their lower identity. */
		return -EROFS;
	}
	if (r == 0 && real_renameat2(rw_sess.fd, tmp, rw_sess.fd, rel, RENAME_NOREPLACE) < 0)
		r = errno == EEXIST ? 0 : -errno;
	else if (r == 0)
		return 0;
	real_unlinkat(rw_sess.fd, tmp, 0);
	return r;
}
