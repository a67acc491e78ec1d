/* SPDX-License-Identifier: MIT */
/*
 * fs/xattrs.c - carrying extended attributes over at copy-up (see
 * xattrs.h). A regular file's come through the descriptors its content
 * moves through, so they are the same file's. Other entries' are named
 * "/proc/self/fd/DIR/NAME", DIR being the storage folder opened with no
 * link on the way (fs/store.h), and read and written with the l* calls,
 * which follow no link at the end either.
 */
#include <errno.h>
#include <string.h>
#include <limits.h>
#include <sys/xattr.h>

#include "fs/real.h"
#include "fs/session.h"
#include "fs/store.h"
#include "fs/xattrs.h"

void rw_copy_xattrs(const char *from, const char *rel)
{
	RW_BUSY_SCOPE();
	char list[4096], value[4096], to[RW_STORE_FD_NAME_MAX + NAME_MAX];
	const char *name;
	ssize_t n, off, len;
	int dfd;

	if (!real_llistxattr || !real_lgetxattr || !real_lsetxattr)
		return;
	n = real_llistxattr(from, list, sizeof(list));
	if (n <= 0)
		return;
	dfd = rw_store_dir(rel, &name);
	if (dfd < 0)
		return;
	if (rw_store_fd_name(dfd, name, to, sizeof(to)) >= 0)
		for (off = 0; off < n; off += (ssize_t)strlen(list + off) + 1) {
			len = real_lgetxattr(from, list + off, value, sizeof(value));
			if (len >= 0)
				real_lsetxattr(to, list + off, value, (size_t)len, 0);
		}
	rw_store_close(dfd);
}

void rw_copy_fd_xattrs(int from, int to)
{
	RW_BUSY_SCOPE();
	char list[4096], value[4096];
	ssize_t n, off, len;

	if (!real_fsetxattr)
		return;
	n = flistxattr(from, list, sizeof(list));
	for (off = 0; off < n; off += (ssize_t)strlen(list + off) + 1) {
		len = fgetxattr(from, list + off, value, sizeof(value));
		if (len >= 0)
			real_fsetxattr(to, list + off, value, (size_t)len, 0);
	}
}
