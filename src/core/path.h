/* SPDX-License-Identifier: MIT */
/*
 * core/path.h - lexical path arithmetic on caller-owned buffers.
 * Pure: no syscalls, no errno, no malloc. Functions return a length or
 * -errno, like the kernel would for the same path string.
 */
#ifndef RW_CORE_PATH_H
#define RW_CORE_PATH_H

#include <limits.h>
#include <stddef.h>

/**
 * Join @base (absolute, or NULL when @path is absolute) and @path, and
 * normalise the result lexically into @out (@outsz bytes): "//" and "/."
 * collapse, ".." removes the previous component and stops at "/", trailing
 * slashes go. When @trailing is not NULL it is set to 1 if @path ended in "/"
 * (or "/." or "/..") so the caller can demand a directory.
 * Returns the length of @out, or:
 *   -ENOENT        @path is empty,
 *   -ENAMETOOLONG  @path is PATH_MAX bytes or longer, a component is longer
 *                  than NAME_MAX, or the result does not fit @outsz.
 */
long rw_path_join(const char *base, const char *path, char *out, size_t outsz, int *trailing);

/**
 * Return 1 if @path (@len bytes, normalised) equals @prefix (@plen bytes,
 * normalised) or lies below it on a component boundary ("/usr" holds
 * "/usr/lib" but not "/usrlocal"); "/" holds every absolute path.
 */
int rw_path_has_prefix(const char *path, size_t len, const char *prefix, size_t plen);

/**
 * Split normalised @path (@len bytes) at its last component: returns the
 * length of the parent ("/" for "/a" gives 1) and sets *@name to the last
 * component. For "/" itself returns 1 and *@name points at "".
 */
size_t rw_path_split(const char *path, size_t len, const char **name);

/**
 * Find the first ".." of @path that backs out of a name @path itself gave
 * ("a/../b", not "../b" or "/.."): where the lexical join can be wrong,
 * since the kernel takes ".." of where that name leads when it is a link.
 * Returns the offset of that "..", or -1 when there is none.
 */
long rw_path_backstep(const char *path);

#endif
