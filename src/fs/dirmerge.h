/* SPDX-License-Identifier: MIT */
/*
 * fs/dirmerge.h - merged folder listings.
 *
 * A merged folder is read as two streams: the overlay's entries that the
 * lower folder lacks (or whose lower entry a whiteout deletes) first, then
 * the lower folder's entries that no whiteout deletes, typed as the
 * overlay's entry where the overlay replaces them (see dirmerge.c).
 * The DIR the program holds is the real one of the folder's representative
 * (the lower folder for a merged one, so its descriptor matches what stat
 * reports); the overlay's stream hangs off it in a fixed table, so listing
 * takes no heap memory beyond what opendir itself takes.
 */
#ifndef RW_FS_DIRMERGE_H
#define RW_FS_DIRMERGE_H

#include <dirent.h>

#include "fs/view.h"

/**
 * Open folder @loc (RW_UPPER or RW_MERGED) for a merged listing; @fd, when
 * not -1, is the program's descriptor of the representative, which the
 * returned DIR then owns (fdopendir). Returns the DIR, or NULL with -errno
 * in *@err.
 */
DIR *rw_dir_open(const struct rw_loc *loc, int fd, int *err);

/** Return 1 if @dir is a merged listing. */
int rw_dir_is_merged(DIR *dir);

/** The next entry of merged @dir, as readdir (@is64 for readdir64). */
void *rw_dir_next(DIR *dir, int is64);

/** Forget @dir's merge state (before the real closedir). */
void rw_dir_close(DIR *dir);

/** Start @dir over (rewinddir). */
void rw_dir_rewind(DIR *dir);

/**
 * Open folder @path (relative to @dirfd) for listing, merged when it must
 * be: what opendir() does, through the merged view. The caller checked
 * that the library is set up. Returns the DIR, or NULL with -errno in *@err.
 */
DIR *rw_dir_openat(int dirfd, const char *path, int *err);

/** The position of @dir, as telldir (merged listings: see dirmerge.c). */
long rw_dir_tell(DIR *dir);

/** Go back to position @pos of @dir that rw_dir_tell() gave, as seekdir. */
void rw_dir_seek(DIR *dir, long pos);

/**
 * getdents64 on descriptor @fd: a folder opened with open(O_DIRECTORY)
 * lists merged, the overlay's entries first. Returns the bytes filled in
 * @buf, 0 at the end, or -errno.
 */
long rw_dir_getdents(int fd, void *buf, size_t len);

/**
 * Forget what getdents64 kept for descriptor @fd: for the hooks that close
 * or replace descriptors (close, close_range, dup2, dup3), so a number
 * given to another folder of the same identity starts its listing afresh.
 */
void rw_dir_fd_forget(int fd);

/** The same for every descriptor from @first to @last (close_range). */
void rw_dir_fd_forget_range(unsigned int first, unsigned int last);

#endif
