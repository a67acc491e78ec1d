/* SPDX-License-Identifier: MIT */
/*
 * fs/xattrs.c - carrying extended attributes over at copy-up (see
 * xattrs.h). A regular file's come through the descriptors its content
 * moves through, so they are the same file's. Other entries' are named
 * "/proc/self/fd/DIR/NAME", DIR being the storage folder opened with no
 * link on the way (fs/store.h), and read and written with the l* calls,
 * which follow no link at the end either.
 *
 * The stack holds one 4 KiB buffer, for the list of names and then for
 * each value in turn: a name is copied out before its value is read over
 * the list, and the list is read again for the next name. An entry has
 * few attributes (most have none: one call), and this runs in hooks that
 * must fit a 32 KiB thread stack.
 */
#include <errno.h>
#include <string.h>
#include <limits.h>
#include <linux/limits.h>
#include <sys/xattr.h>

#include "fs/real.h"
#include "fs/session.h"
#include "fs/store.h"
#include "fs/xattrs.h"

/* One end of a copy: a path read and written with the l* calls, or a
 * descriptor. */
struct end {
	const char *path;
	int fd;
};

static ssize_t list_names(const struct end *e, char *buf, size_t size)
{
	return e->path ? real_llistxattr(e->path, buf, size) : flistxattr(e->fd, buf, size);
}

/* Copy every attribute @from lists onto @to. */
static __attribute__((noinline)) void copy_all(const struct end *from, const struct end *to)
{
	char buf[4096], name[XATTR_NAME_MAX + 1];
	ssize_t n, off, len;
	size_t done, i, nl;

	for (done = 0;; done++) {
		n = list_names(from, buf, sizeof(buf));
		/* The name after the @done already copied. */
		for (off = 0, i = 0; off < n && i < done; i++)
			off += (ssize_t)strnlen(buf + off, (size_t)(n - off)) + 1;
		if (off >= n)
			return;
		nl = strnlen(buf + off, (size_t)(n - off));
		if (nl >= sizeof(name))
			continue;
		memcpy(name, buf + off, nl);
		name[nl] = '\0';
		len = from->path ? real_lgetxattr(from->path, name, buf, sizeof(buf))
				 : fgetxattr(from->fd, name, buf, sizeof(buf));
		if (len < 0)
			continue;
		if (to->path)
			real_lsetxattr(to->path, name, buf, (size_t)len, 0);
		else
			real_fsetxattr(to->fd, name, buf, (size_t)len, 0);
	}
}

void rw_copy_xattrs(const char *from, const char *rel)
{
	RW_BUSY_SCOPE();
	char to[RW_STORE_FD_NAME_MAX + NAME_MAX];
	struct end f = { from, -1 }, t = { to, -1 };
	const char *name;
	char probe[1];
	int dfd;

	if (!real_llistxattr || !real_lgetxattr || !real_lsetxattr)
		return;
	/* Most entries have none: no storage folder opened for them. */
	if (real_llistxattr(from, probe, 0) <= 0)
		return;
	dfd = rw_store_dir(rel, &name);
	if (dfd < 0)
		return;
	if (rw_store_fd_name(dfd, name, to, sizeof(to)) >= 0)
		copy_all(&f, &t);
	rw_store_close(dfd);
}

void rw_copy_fd_xattrs(int from, int to)
{
	RW_BUSY_SCOPE();
	struct end f = { NULL, from }, t = { NULL, to };

	if (!real_fsetxattr)
		return;
	copy_all(&f, &t);
}
