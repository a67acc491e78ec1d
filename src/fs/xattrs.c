/* SPDX-License-Identifier: MIT */
/*
 * fs/xattrs.c - carrying extended attributes over at copy-up (see
 * xattrs.h). The xattr calls have no *at() form: the storage entry is named
 * "/proc/self/fd/SESSION/REL", whose folders are all real folders of the
 * storage, so no link but the session descriptor's own is followed.
 */
#include <errno.h>
#include <string.h>
#include <sys/xattr.h>

#include "fs/real.h"
#include "fs/session.h"
#include "fs/xattrs.h"

void rw_copy_xattrs(const char *from, const char *rel)
{
	RW_BUSY_SCOPE();
	char list[4096], value[4096], to[PATH_MAX], digits[12];
	unsigned int v = (unsigned int)rw_sess.fd;
	size_t rl = strlen(rel), i = 14;
	ssize_t n, off, len;
	int nd = 0;

	if (!real_llistxattr || !real_lgetxattr || !real_lsetxattr)
		return;
	n = real_llistxattr(from, list, sizeof(list));
	if (n <= 0)
		return;
	memcpy(to, "/proc/self/fd/", 14);
	do
		digits[nd++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (nd)
		to[i++] = digits[--nd];
	if (i + 1 + rl + 1 > sizeof(to))
		return;
	to[i++] = '/';
	memcpy(to + i, rel, rl + 1);
	for (off = 0; off < n; off += (ssize_t)strlen(list + off) + 1) {
		len = real_lgetxattr(from, list + off, value, sizeof(value));
		if (len >= 0)
			real_lsetxattr(to, list + off, value, (size_t)len, 0);
	}
}
