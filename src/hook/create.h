/* SPDX-License-Identifier: MIT */
/*
 * hook/create.h - the shape of the calls that make one new name (symlink,
 * link, mknod, bind), and the names under /proc/self/fd by which calls with
 * no *at() form (xattrs, truncate, statfs, pathconf, inotify, sockets)
 * reach an entry of the storage.
 */
#ifndef RW_HOOK_CREATE_H
#define RW_HOOK_CREATE_H

#include <stddef.h>

#include "fs/view.h"

/*
 * Make one new name. @upper is NULL for the real filesystem: @dirfd and
 * @path are the program's own, or AT_FDCWD and the canonical path. Else the
 * name goes in the overlay at @upper->path: @dirfd is the session folder and
 * @path the storage path relative to it. Returns 0 or -errno.
 */
typedef int (*rw_make_op)(int dirfd, const char *path, const struct rw_loc *upper, void *arg);

/**
 * Make the new name @path (relative to @dirfd) with @op (@call names the
 * hook for --log and --audit): on the real
 * filesystem when it takes it, in the overlay when it refuses (EROFS), when
 * the path is protected, or when the merged view says the name belongs to
 * the overlay (a deleted name, a folder only the overlay has).
 * Returns 0 or -errno, with the kernel's precedence: -EEXIST when the merged
 * view has the name (links included, never followed), -ENOENT for a missing
 * name written with a trailing slash (unless @folder: a folder may be named
 * so), -ENOENT/-ENOTDIR for a missing parent.
 */
int rw_make_at(const char *call, int dirfd, const char *path, int folder, rw_make_op op,
	       void *arg);

/**
 * The second half of rw_make_at(): the real filesystem refused @vp with
 * @err (returned when the overlay cannot take it either, e.g. in /proc).
 */
int rw_make_redirected(const char *call, const struct rw_vpath *vp, int folder, rw_make_op op,
		       void *arg, int err);

/**
 * Resolve @vp for making a new name there: like rw_view_resolve() with
 * @flags, but a trailing slash neither follows a final link nor demands a
 * folder; it turns a missing name into -ENOENT unless @folder is what will
 * be made there.
 */
int rw_resolve_new(const struct rw_vpath *vp, int flags, int folder, struct rw_loc *loc);

/**
 * Write a path naming @path relative to @dirfd into @out, for calls that
 * have no *at() form: @path itself when it is absolute or @dirfd is
 * AT_FDCWD, else "/proc/self/fd/DIRFD/@path". Returns the length, or
 * -ENAMETOOLONG when it does not fit @outsz.
 */
long rw_at_name(int dirfd, const char *path, char *out, size_t outsz);

#endif
