/* SPDX-License-Identifier: MIT */
/*
 * fs/store.h - the one way into the storage.
 *
 * Everything inside the session folder may have been put there by a hostile
 * process: in a root tree, the user the tree dropped to owns the overlay's
 * copies of its own folders and may swap any of them for a symbolic link,
 * at any moment. So a storage path ("upper/ro/x", "work/cu.1.2") is never
 * handed to the kernel to resolve as a path with links: every folder on it
 * is opened beneath the session descriptor with no link followed anywhere
 * (openat2() with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or one O_NOFOLLOW
 * step per folder where openat2 is missing or refused), and the last name is
 * then acted on relative to that folder with the call's no-follow form.
 * A link met on the way is ELOOP: what a race can win is an error, never a
 * write somewhere else. Links of the overlay are followed by the view
 * (fs/view.c), which reads them as data and resolves their targets itself.
 *
 * Every function returns its result or -errno and keeps errno unchanged
 * only where it says so; none allocates.
 */
#ifndef RW_FS_STORE_H
#define RW_FS_STORE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

/**
 * Open the folder that holds storage path @rel's last name, as an O_PATH
 * descriptor to use as the dirfd of *at() calls, and point *@name at that
 * last name inside @rel. @rel must be writable when it holds a '/' (every
 * storage path is built in a caller's buffer; the bare names "upper" and
 * "work" hold none): it is cut there while the folder is opened and put
 * back, so no copy of it is made on the stack. The same holds for every
 * function below that takes a storage path. Returns the descriptor (close it with
 * rw_store_close()) or -errno. For "NAME" and "work/NAME" or "upper/NAME",
 * whose folders only the session's owner can replace, and out of
 * descriptors where rw_store_trusted() holds, it returns the session
 * descriptor and *@name is all of @rel.
 */
int rw_store_dir(const char *rel, const char **name);

/**
 * Whether the folders on storage path @rel can be changed only by this
 * process's user and root, so that a name through them means the same for
 * as long as this user and root do not change it (1), or not (0).
 */
int rw_store_trusted(const char *rel);

/** Close a descriptor rw_store_dir() or rw_store_open() gave, keeping errno. */
void rw_store_close(int fd);

/**
 * open(2) storage path @rel with @flags (O_NOFOLLOW is added: the entry
 * itself, never what a link there names) and @mode. Returns the descriptor
 * or -errno.
 */
int rw_store_open(const char *rel, int flags, mode_t mode);

/** lstat(2) of storage path @rel. Returns 0 or -errno. */
int rw_store_stat(const char *rel, struct stat *st);

/** readlink(2) of storage path @rel into @buf (@size bytes, not
 * terminated). Returns the length or -errno. */
long rw_store_readlink(const char *rel, char *buf, size_t size);

/** mkdir(2), unlinkat(2) (@flags: 0 or AT_REMOVEDIR), symlink(2) and
 * mknod(2) of storage path @rel. Return 0 or -errno. */
int rw_store_mkdir(const char *rel, mode_t mode);
int rw_store_unlink(const char *rel, int flags);
int rw_store_symlink(const char *target, const char *rel);

/** renameat2(2) of storage path @from to storage path @to. */
int rw_store_rename(const char *from, const char *to, unsigned int flags);

/** link(2) of storage path @from to storage path @to (never followed). */
int rw_store_link(const char *from, const char *to);

/** chmod, chown and utimens of storage path @rel itself, never of what a
 * link there names. Return 0 or -errno. */
int rw_store_chmod(const char *rel, mode_t mode);
int rw_store_chown(const char *rel, uid_t uid, gid_t gid);
int rw_store_utimens(const char *rel, const struct timespec ts[2]);

/* Room for what rw_store_fd_name() writes. */
#define RW_STORE_FD_NAME_MAX (sizeof("/proc/self/fd/") + 12)

/**
 * For calls that take only a path (bind, the xattr calls, exec): write to
 * @out (@size bytes) "/proc/self/fd/@dirfd/@name", where @dirfd comes from
 * rw_store_dir(). The kernel follows the descriptor's magic link to the
 * very folder opened, then looks @name up in it. Returns the length or
 * -ENAMETOOLONG.
 */
long rw_store_fd_name(int dirfd, const char *name, char *out, size_t size);

/**
 * rw_store_dir() and rw_store_fd_name() in one: write to @out (@size
 * bytes) a name for storage entry @rel. Returns the folder's descriptor,
 * to pass to rw_store_close() once the name has been used, or -errno.
 */
int rw_store_name(const char *rel, char *out, size_t size);

#endif
