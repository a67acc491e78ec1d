/* SPDX-License-Identifier: MIT */
/*
 * fs/rmtree.h - removing a folder tree that someone may be changing under
 * us. The storage of a root tree holds folders a process of another user
 * owns: that user can move them, or plant entries that cannot be removed.
 * So removal never follows a link, never crosses into another filesystem,
 * checks each folder's identity when it comes back up to it, holds at most
 * two descriptors whatever the depth, and stops with one line on stderr,
 * naming the folder, where it cannot go on.
 */
#ifndef RW_FS_RMTREE_H
#define RW_FS_RMTREE_H

#include <stddef.h>
#include <sys/types.h>

/* A file's identity. */
struct rw_fid {
	dev_t dev;
	ino_t ino;
};

/* Levels remembered without the heap (then RW_RMTREE_MAY_ALLOC, or stop). */
#define RW_RMTREE_LEVELS 64

enum {
	RW_RMTREE_MAY_ALLOC = 1, /* a process of its own: may grow on the heap */
};

/**
 * Remove @name under folder @parent and everything below it. @expect, when
 * not NULL, is the identity @name must have: anything else there is left
 * alone. @flags: RW_RMTREE_MAY_ALLOC lets it remember folders deeper than
 * RW_RMTREE_LEVELS on the heap; without it (a process of the tree, maybe a
 * vfork child at _exit) deeper trees are left. Returns 0 when @name is gone
 * (or was never there), else -errno after one line on stderr.
 */
int rw_rmtree(int parent, const char *name, const struct rw_fid *expect, int flags);

/**
 * The same for absolute @path (@len bytes): opens the folder holding it.
 */
int rw_rmtree_path(const char *path, size_t len, const struct rw_fid *expect, int flags);

/**
 * Open the folder holding absolute @path (@len bytes, below PATH_MAX);
 * @copy (PATH_MAX bytes) gets a copy of @path and *@name points at its last
 * name there. Returns the descriptor (O_CLOEXEC) or -1 with errno set.
 */
int rw_open_parent(const char *path, size_t len, char *copy, const char **name);

#endif
