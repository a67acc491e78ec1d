/* SPDX-License-Identifier: MIT */
/*
 * fs/view.h - the merged view: where a path the program names really is,
 * and the changes to the overlay that redirected writes make.
 *
 * A "virtual" path is the absolute path the program means. The lower layer is
 * the real filesystem at that same path; the upper layer is the session's
 * upper/ folder, holding entries at "upper" + virtual path. An upper entry
 * wins; a whiteout ".wh.NAME" hides the lower NAME; an opaque marker
 * ".wh..wh..opq" hides the whole lower folder (the OCI layer convention).
 */
#ifndef RW_FS_VIEW_H
#define RW_FS_VIEW_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fs/session.h"

/* A path as the program named it, made absolute and normalised. */
struct rw_vpath {
	size_t len;
	int trailing; /* it ended in '/': only a folder will do */
	int stored;   /* relative to a folder inside the storage: the real
			 call would act on the storage itself */
	int resolved; /* a ".." backed out of a name the overlay holds or
			 changes: the real call would not find what the
			 view found, so only the view may answer */
	char abs[PATH_MAX];
};

enum rw_layer {
	RW_NONE,   /* nothing there (the parent exists) */
	RW_LOWER,  /* only the real filesystem has it */
	RW_UPPER,  /* the overlay has it and hides any lower one */
	RW_MERGED, /* a folder in both: its listing is the union */
};

/* Where a path resolved to. */
struct rw_loc {
	enum rw_layer layer;
	int whiteout;   /* RW_NONE because the overlay deleted it */
	int hidden;     /* nothing of the lower layer shows at or below it */
	int canon;      /* every component a write depends on was looked at:
			   the same answer an RW_CANON walk gives */
	int parent_upper; /* the folder holding it is in the overlay */
	struct stat st; /* the entry, not followed (for RW_MERGED: the lower's
			   identity with the upper's attributes) */
	size_t len;
	char path[PATH_MAX]; /* the canonical virtual path */
};

/* Flags of rw_view_resolve(). */
#define RW_FOLLOW 1 /* follow a symlink in the last component */
#define RW_CANON 2  /* resolve every lower symlink on the way (for writes) */

/* Answers of rw_view_quick(). */
enum rw_quick { RW_PASS, RW_EXCLUDED, RW_LOOK };

/**
 * Return 1 if the tree has an overlay with anything in it, or protects
 * paths: only then does any call need more than the real function.
 */
static inline int rw_view_live(void)
{
	return (rw_sess.ix && !rw_index_empty(rw_sess.ix)) || rw_cfg.paths.n > 0;
}

/** Write "/proc/self/fd/@fd" into @out (32 bytes at least); return its length. */
size_t rw_fd_name(int fd, char *out);

/**
 * Make @path (relative to @dirfd, AT_FDCWD or absolute) absolute in @vp,
 * mapping storage paths of the working folder or @dirfd back to the paths
 * the program knows. Returns 0 or -errno.
 */
int rw_view_abs(int dirfd, const char *path, struct rw_vpath *vp);

/**
 * Decide from memory alone: RW_EXCLUDED for /proc, /sys, /dev and
 * RWSHIM_EXCLUDE; RW_LOOK when the overlay may hold something at @vp or
 * above it, or @vp is protected; RW_PASS otherwise.
 */
enum rw_quick rw_view_quick(const struct rw_vpath *vp);

/** Return 1 if @vp lies under RWSHIM_PATHS. */
int rw_view_protected(const struct rw_vpath *vp);

/**
 * Resolve @vp in the merged view into @loc. Returns 0 when the parent
 * exists (then @loc->layer says whether the entry does), or -errno:
 * -ENOENT (a parent is missing), -ENOTDIR, -ELOOP, -ENAMETOOLONG, -EACCES.
 */
int rw_view_resolve(const struct rw_vpath *vp, int flags, struct rw_loc *loc);

/**
 * rw_view_resolve() of the first @len bytes of absolute, normalised @path,
 * as a vpath without a trailing slash: no copy of it into a struct
 * rw_vpath first. @path may be @loc->path of another loc, not @loc's own.
 */
int rw_view_resolve_path(const char *path, size_t len, int flags, struct rw_loc *loc);

/**
 * Write the storage path of virtual @path (@len bytes) relative to the
 * session folder ("upper/a/b") into @out. Returns its length or -ENAMETOOLONG.
 */
long rw_view_upper_rel(const char *path, size_t len, char *out, size_t outsz);

/**
 * Map a real path @real (@len bytes) inside the storage back to the virtual
 * path, in place. Returns the new length (unchanged when not in storage).
 */
size_t rw_view_unmap(char *real, size_t len);

/**
 * Note a new working folder: @vpath (@len bytes) when known, @stored when it
 * lies in the storage; NULL just forgets the cached one (fchdir).
 */
void rw_view_cwd_changed(const char *vpath, size_t len, int stored);

/* ---- changes to the overlay (only after rw_session_storage() succeeded) -- */

/**
 * Note that what an existing path resolves to may have changed (an overlay
 * entry removed or moved, a whiteout, an opaque folder, a link marked), so
 * that every thread of the tree walks afresh. Call it after the change.
 */
void rw_view_changed(void);

/**
 * Mark @path (@len bytes) in the tree's index with @mark. A process whose
 * index is read-only (another user's in a root tree) asks the helper.
 * Returns 0, or -errno when the mark could not be set: the entry it stands
 * for must not be made then, or other processes would not look for it.
 */
int rw_view_mark(const char *path, size_t len, enum rw_mark mark);

/**
 * Mark @path as made anew in the overlay: lookups of it and of anything
 * below it must look in the overlay (the lower layer has nothing there).
 * Returns 0 or -errno, as rw_view_mark().
 */
int rw_view_mark_new(const char *path, size_t len);

/**
 * Run @op for overlay entry @rel (a storage path, "upper/a/b"). When it fails
 * with EACCES because the folder holding @rel is this process's own but not
 * writable (the mirror of a 0555 original, made by a tree that is not root),
 * open that folder for the moment and try again: the library's own entries
 * (mirrors, copies) go in where the program's new names may not. Returns
 * what @op returns: 0 or -errno.
 */
int rw_view_in_own_dir(const char *rel, int (*op)(void *arg), void *arg);

/**
 * Rename finished storage entry @tmp to @rel unless @rel exists (-EEXIST:
 * another process was first), as rw_view_in_own_dir() allows.
 */
int rw_view_place(const char *tmp, const char *rel);

/**
 * Make overlay folder @rel the mirror of lower folder @lower (@lst): owner,
 * mode, xattrs and times. Built under a temporary name and renamed into
 * place whole, so no process ever meets a mirror without the owner and
 * mode it will keep. Returns 0, -EEXIST (another process was first) or -errno.
 */
int rw_view_mirror_dir(const char *lower, const char *rel, const struct stat *lst);

/** Make the upper folders of every ancestor of @path, mirroring the lower ones. */
int rw_view_make_parents(const char *path, size_t len);

/** Hide lower @path with a whiteout. Returns 0 or -errno. */
int rw_view_whiteout(const char *path, size_t len);

/** Remove the whiteout of @path, if any. */
void rw_view_unwhiteout(const char *path, size_t len);

/** Make upper folder @path opaque: the lower folder no longer shows through. */
int rw_view_make_opaque(const char *path, size_t len);

/** Return 1 if the lower layer has an entry at @path that would show. */
int rw_view_lower_exists(const struct rw_loc *loc);

/**
 * Whether lower entry @name of a merged folder is replaced or deleted by the
 * overlay: @upperfd is the folder's overlay half, @dirhash the index hash of
 * its virtual path ("" for the root). Memory only, unless the index hits.
 */
int rw_view_name_hidden(int upperfd, uint64_t dirhash, const char *name);

/**
 * Count what the merged folder @loc lists besides "." and "..", stopping at
 * one. Returns 0 (empty), 1 (not empty) or -errno.
 */
int rw_view_dir_nonempty(const struct rw_loc *loc);

#endif
