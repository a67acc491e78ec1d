/* SPDX-License-Identifier: MIT */
/*
 * hook/names.c - realpath (both versions), __realpath_chk and
 * canonicalize_file_name through the merged view. glibc resolves names with
 * internal readlink and getcwd calls that never reach a hook, so it would
 * neither see the overlay's links and folders nor hide the storage.
 * Takes heap memory only where the program asked realpath to allocate.
 */
#include <stdlib.h>
#include <string.h>

#include "fs/session.h"
#include "fs/view.h"
#include "hook/calls.h"
#include "hook/hook.h"

/* glibc's abort for a FORTIFY check that failed. */
#ifdef __GLIBC__
extern void __chk_fail(void) __attribute__((noreturn));
#else /* musl has no FORTIFY entry points: nothing calls the *_chk hooks */
#define __chk_fail() abort()
#endif

typedef char *(*realpath_fn)(const char *, char *);

/* Resolve absolute, normalised @path (@len bytes) in the merged view,
 * following every link; @dir: it must be a folder. 0 or -errno, with
 * @loc->path what was looked for when the last component is missing. */
static int resolve(const char *path, size_t len, int dir, struct rw_loc *loc)
{
	struct rw_vpath vp;
	int r;

	loc->path[0] = '\0';
	memcpy(vp.abs, path, len + 1);
	vp.len = len;
	vp.trailing = dir;
	vp.stored = vp.resolved = 0;
	r = rw_view_resolve(&vp, RW_FOLLOW | RW_CANON, loc);
	if (r < 0)
		return r;
	if (loc->layer == RW_NONE)
		return -ENOENT;
	return 0;
}

/**
 * The canonical virtual path of @path in the merged view: every symlink of
 * either layer followed, and each ".." taken from where the links before it
 * led (not cut off by hand, as the other hooks' lexical paths are). @out
 * holds PATH_MAX bytes. Returns its length, 0 when the real realpath is
 * right (no overlay, or a path in /proc, /sys, /dev), or -errno; for a
 * missing component, -ENOENT with the path looked for in @out, as glibc
 * leaves it.
 */
static long realpath_view(const char *path, char *out)
{
	char cur[PATH_MAX];
	struct rw_vpath vp;
	struct rw_loc loc;
	const char *p = path, *c;
	size_t len, n;
	int r;

	if (!rw_view_live())
		return 0;
	/* Too long a name, or no working folder: realpath fails as well. */
	r = rw_view_abs(AT_FDCWD, path, &vp);
	if (r < 0)
		return r;
	if (rw_view_quick(&vp) == RW_EXCLUDED)
		return 0;
	if (path[0] == '/') {
		cur[0] = '/';
		len = 1;
	} else {
		r = rw_view_abs(AT_FDCWD, ".", &vp);
		if (r < 0)
			return r;
		memcpy(cur, vp.abs, vp.len + 1);
		len = vp.len;
	}
	cur[len] = '\0';
	while (*p) {
		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			/* Where the links so far led, then one up. */
			r = resolve(cur, len, 1, &loc);
			if (r < 0) {
				memcpy(out, loc.path, strlen(loc.path) + 1);
				return r;
			}
			len = loc.len;
			while (len > 1 && loc.path[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
			memcpy(cur, loc.path, len);
			cur[len] = '\0';
			continue;
		}
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		if (len + 1 + n >= sizeof(cur))
			return -ENAMETOOLONG;
		if (len > 1)
			cur[len++] = '/';
		memcpy(cur + len, c, n);
		len += n;
		cur[len] = '\0';
	}
	/* "file/" and "file/." name no folder. */
	n = strlen(path);
	r = resolve(cur, len, n && (path[n - 1] == '/' || (path[n - 1] == '.' && (n == 1 ||
			path[n - 2] == '/'))), &loc);
	/* The walk leaves the path it got to, even when it failed. */
	memcpy(out, loc.path, strlen(loc.path) + 1);
	if (r < 0)
		return r;
	/* A link into /proc (/proc/self/cwd) may have led to the storage. */
	return (long)rw_view_unmap(out, loc.len);
}

/* The real realpath, with a storage path it may come back with (through
 * /proc/self/cwd or /proc/self/fd/N) mapped back to the program's. */
static char *realpath_real(realpath_fn real, const char *path, char *resolved)
{
	char *r;

	if (!real)
		return rw_enosys_ptr();
	r = real(path, resolved);
	if (r && rw_sess.ix)
		rw_view_unmap(r, strlen(r));
	return r;
}

static char *realpath_common(realpath_fn real, const char *path, char *resolved)
{
	char out[PATH_MAX];
	int saved = errno;
	long len;
	char *r;

	if (!rw_ready() || !path || !path[0])
		return real ? real(path, resolved) : rw_enosys_ptr();
	len = realpath_view(path, out);
	if (len == 0)
		return realpath_real(real, path, resolved);
	if (len < 0) {
		if (len == -ENOENT && resolved && out[0] == '/')
			memcpy(resolved, out, strlen(out) + 1);
		errno = (int)-len;
		return NULL;
	}
	if (resolved) {
		memcpy(resolved, out, (size_t)len + 1);
		r = resolved;
	} else {
		r = malloc((size_t)len + 1);
		if (!r) {
			errno = ENOMEM;
			return NULL;
		}
		memcpy(r, out, (size_t)len + 1);
	}
	errno = saved;
	return r;
}

#ifdef RW_OLD_GLIBC
static void *real_realpath_old;

RW_EXPORT char *rw_sv_realpath(const char *path, char *resolved)
{
	rw_ready();
	return realpath_common(real_realpath, path, resolved);
}
RW_SYMVER(rw_sv_realpath, "realpath@@GLIBC_2.3");

/* Before GLIBC_2.3 realpath did not allocate: a NULL @resolved is EINVAL. */
RW_EXPORT char *rw_sv_realpath_old(const char *path, char *resolved)
{
	if (!resolved) {
		errno = EINVAL;
		return NULL;
	}
	rw_ready();
	return realpath_common((realpath_fn)rw_real_version("realpath", RW_OLD_GLIBC,
							    &real_realpath_old),
			       path, resolved);
}
RW_SYMVER(rw_sv_realpath_old, "realpath@GLIBC_2.2.5");

__attribute__((constructor)) static void names_versions(void)
{
	rw_real_version("realpath", RW_OLD_GLIBC, &real_realpath_old);
}
#else
RW_EXPORT char *realpath(const char *path, char *resolved)
{
	rw_ready();
	return realpath_common(real_realpath, path, resolved);
}
#endif

/* FORTIFY's realpath: @resolvedlen is what the compiler knows @resolved holds. */
RW_EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		__chk_fail();
	rw_ready();
	return realpath_common(real_realpath, path, resolved);
}

RW_EXPORT char *canonicalize_file_name(const char *path)
{
	rw_ready();
	return realpath_common(real_realpath, path, NULL);
}
