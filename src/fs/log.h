/* SPDX-License-Identifier: MIT */
/*
 * fs/log.h - what --log and --audit write: one line per redirected (or,
 * auditing, refused) call, with the process, the program, the call, the
 * path, the open flags and the result. Each line is one write(2) with
 * O_APPEND, so lines from every process of the tree interleave whole.
 * Nothing here runs unless one of the two is on.
 */
#ifndef RW_FS_LOG_H
#define RW_FS_LOG_H

/** Note the program's name for the lines (called once at start). */
void rw_log_init(void);

/**
 * Write one line for @call on @path (and @to, the second path of a rename,
 * or NULL): @flags are open flags (-1 for a call that takes none), @result
 * a value or -errno. @audit marks a refused write that audit mode leaves
 * refused; those are also kept for the summary, by @path.
 */
void rw_log_call(const char *call, const char *path, const char *to, int flags, long result,
		 int audit);

/** The name of @err ("EROFS"), or NULL for one this table lacks. */
const char *rw_errname(int err);

#endif
