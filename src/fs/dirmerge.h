/* SPDX-License-Identifier: MIT */
/*
 * fs/dirmerge.h - merged folder listings.
 *
 * A merged folder is read as two streams: the overlay's entries first, then
 * the lower folder's entries that the overlay neither replaces nor deletes.
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

#endif
