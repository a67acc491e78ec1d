/* SPDX-License-Identifier: MIT */
/*
 * fs/xattrs.h - carrying a lower entry's extended attributes over to its
 * copy in the overlay.
 */
#ifndef RW_FS_XATTRS_H
#define RW_FS_XATTRS_H

/**
 * Copy the extended attributes of lower entry @from (a canonical path) onto
 * the storage entry @rel (relative to the session folder), following
 * neither: user.*, trusted.*, security.* and ACLs, as far as the storage
 * and the caller's privileges take them. Best effort, like the owner of a
 * copy: an attribute refused, or longer than 4 KiB, is left out.
 */
void rw_copy_xattrs(const char *from, const char *rel);

/** The same from open file @from to open file @to: a regular file's
 * attributes, read from the very file its content comes from. */
void rw_copy_fd_xattrs(int from, int to);

#endif
