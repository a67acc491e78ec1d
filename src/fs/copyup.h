/* SPDX-License-Identifier: MIT */
/*
 * fs/copyup.h - copying a lower entry into the overlay before it changes.
 */
#ifndef RW_FS_COPYUP_H
#define RW_FS_COPYUP_H

#include "fs/view.h"

/**
 * Copy lower entry @loc (layer RW_LOWER, canonical path) into the overlay
 * with its mode, owner (where permitted) and times, and its content unless
 * @with_data is 0 (the caller truncates anyway). Atomic: the copy is built
 * in work/ and renamed into place without replacing, so another process
 * sees the lower file or the whole copy; if another process won the race,
 * its copy stands. Returns 0 or -errno (-ENOSPC when storage is full).
 */
int rw_copy_up(const struct rw_loc *loc, int with_data);

/**
 * Copy folder @loc (RW_LOWER or RW_MERGED) and everything the merged view
 * shows below it into the overlay, then make it opaque: afterwards the
 * overlay alone holds the folder, so it can be renamed there. Returns 0 or
 * -errno. @loc->path is the walk's buffer while it copies (one PATH_MAX
 * less on the stack): @loc is as it came afterwards, but for its layer
 * being what it was before the copy.
 */
int rw_copy_up_tree(struct rw_loc *loc);

#endif
