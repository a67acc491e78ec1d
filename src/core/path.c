/* SPDX-License-Identifier: MIT */
/*
 * core/path.c - lexical path arithmetic (see path.h).
 * Pure: no syscalls, no errno, no malloc; every buffer is the caller's.
 */
#include <errno.h>
#include <string.h>

#include "core/path.h"

/* The common case, an absolute path already in normal form (no "//", no
 * component starting with '.', no trailing '/', no long name): a copy.
 * Returns its length, or -1 to take the general road. */
static long join_normal(const char *path, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; path[i]; i++)
		if (path[i] == '/' && (path[i + 1] == '/' || path[i + 1] == '.' ||
				       (!path[i + 1] && i > 0)))
			return -1;
	if (i >= outsz || i > NAME_MAX)
		return -1;
	memcpy(out, path, i + 1);
	return (long)i;
}

long rw_path_join(const char *base, const char *path, char *out, size_t outsz, int *trailing)
{
	size_t n = 0, plen, over = 0;
	const char *p;

	if (trailing)
		*trailing = 0;
	if (!path || !*path)
		return -ENOENT;
	if (path[0] == '/' && (n = (size_t)join_normal(path, out, outsz)) != (size_t)-1)
		return (long)n;
	n = 0;
	plen = strnlen(path, PATH_MAX);
	if (plen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (outsz < 2)
		return -ENAMETOOLONG;

	out[n++] = '/';
	/* A relative path starts from the components of @base. */
	if (path[0] != '/' && base) {
		long r = rw_path_join(NULL, base, out, outsz, NULL);
		if (r < 0)
			return r;
		n = (size_t)r;
	}

	for (p = path;;) {
		const char *c;
		size_t clen;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		while (*p && *p != '/')
			p++;
		clen = (size_t)(p - c);
		if (clen > NAME_MAX)
			return -ENAMETOOLONG;
		if (trailing)
			*trailing = (*p == '/');
		if (clen == 1 && c[0] == '.') {
			if (trailing && !*p)
				*trailing = (p - path > 1);
			continue;
		}
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			if (trailing && !*p)
				*trailing = (c > path);
			if (over) {
				over--; /* it takes back a name that did not fit */
				continue;
			}
			/* Back up one component; ".." of "/" is "/". */
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
			continue;
		}
		/* Count the names that do not fit: a later ".." may take them back. */
		if (over || (n > 1) + n + clen >= outsz) {
			over++;
			continue;
		}
		if (n > 1)
			out[n++] = '/';
		memcpy(out + n, c, clen);
		n += clen;
	}
	if (over)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return (long)n;
}

int rw_path_has_prefix(const char *path, size_t len, const char *prefix, size_t plen)
{
	if (plen == 1 && prefix[0] == '/')
		return len >= 1 && path[0] == '/';
	if (len < plen || memcmp(path, prefix, plen) != 0)
		return 0;
	return len == plen || path[plen] == '/';
}

long rw_path_backstep(const char *path)
{
	const char *p = path, *c;
	size_t names = 0, clen;

	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return -1;
		c = p;
		while (*p && *p != '/')
			p++;
		clen = (size_t)(p - c);
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			if (names)
				return (long)(c - path);
		} else if (!(clen == 1 && c[0] == '.')) {
			names++;
		}
	}
}

size_t rw_path_split(const char *path, size_t len, const char **name)
{
	size_t i = len;

	while (i > 0 && path[i - 1] != '/')
		i--;
	*name = path + i;
	/* i is now the length up to and including the last slash. */
	return i > 1 ? i - 1 : 1;
}
