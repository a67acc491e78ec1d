/* SPDX-License-Identifier: MIT */
/*
 * fs/helper.h - the storage helper of a tree started by root.
 *
 * A process of the tree that became another user writes with that user's
 * rights, and the kernel checks them against the overlay's entries. That
 * holds only if those entries carry the owners of the originals, and only
 * root can give a folder or a copied-up file another owner. So a root
 * tree's reaper also serves requests, over a socket in the session, to do
 * the two changes that must keep an owner: mirroring the parent folders of
 * a path, and copying a file up. Both copy the original's owner, mode and
 * content exactly, so they grant nobody anything the original did not;
 * everything else a process does itself, with its own rights. The index is
 * root's too, and read-only to the others: the helper sets their marks.
 * How the helper treats callers it cannot trust: fs/helper.c.
 */
#ifndef RW_FS_HELPER_H
#define RW_FS_HELPER_H

#include <stddef.h>

enum rw_helper_op {
	RW_HELP_STORAGE = 'S', /* make upper/ and work/ */
	RW_HELP_PARENTS = 'P', /* mirror the parent folders of a path */
	RW_HELP_COPY = 'C',    /* copy a path up with its content */
	RW_HELP_COPY_META = 'M', /* copy it up empty (it is truncated anyway) */
	RW_HELP_MARK_ENTRY = 'E',  /* mark a path in the index (core/index.h) */
	RW_HELP_MARK_SHADOW = 'H', /* the other kind of mark */
	RW_HELP_MARK_NEW = 'N',    /* both marks: a new entry (rw_view_mark_new) */
	RW_HELP_CHANGED = 'X',     /* count a change (rw_index_changed) */
};

/** Return 1 if this process must ask the helper rather than act itself. */
int rw_helper_needed(void);

/** Ask the helper to do @op on virtual @path (@len bytes). Returns 0 or -errno. */
int rw_helper_call(enum rw_helper_op op, const char *path, size_t len);

/**
 * Bind and listen on the session's socket, through descriptor @sessfd of
 * the session folder. Done by the tree before the reaper exists, so that a
 * process of the tree never asks before anyone listens. Returns the socket
 * or -errno.
 */
int rw_helper_listen(int sessfd);

/**
 * Serve on @lsock in a child of the reaper, which owns descriptor @sessfd
 * of the session. Closes @lsock in the caller. Returns the child's pid or
 * -errno; the child dies with the reaper at the latest.
 */
int rw_helper_start(int lsock, int sessfd);

#endif
