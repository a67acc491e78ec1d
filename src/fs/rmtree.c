/* SPDX-License-Identifier: MIT */
/*
 * fs/rmtree.c - removing a folder tree safely (see rmtree.h).
 *
 * A loop, not a recursion: one descriptor for the folder it is in, going
 * down by name with O_NOFOLLOW and back up through "..", which it trusts
 * only if it is the very folder it came down from (remembered by device
 * and inode). A folder moved elsewhere while we are in it, by a user who
 * owns it, would otherwise lead us up into that user's choice of folder.
 * Each pass over a folder removes something or goes down, and anything
 * that cannot be removed stops the whole removal: never a retry loop.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/path.h"
#include "core/escape.h"
#include "fs/msg.h"
#include "fs/real.h"
#include "fs/rmtree.h"
#include "fs/view.h"

/* How often a folder found empty may fill again before we give up on it:
 * only a process still writing there does that. */
#define REFILLS_MAX 1000

/* The removers call the kernel directly, past any other preloaded library:
 * they may outlive the daemon such a library talks to (fakeroot's faked,
 * gone when its session ends), and its wrapper would then end them. */
static int sys_openat(int dir, const char *name, int flags)
{
	return (int)syscall(SYS_openat, dir, name, flags, 0);
}

static int sys_unlinkat(int dir, const char *name, int flags)
{
	return (int)syscall(SYS_unlinkat, dir, name, flags);
}

/* The kernel's struct statx, as far as it is read here (the rest is room):
 * spelled out because not every libc this builds against declares it. */
struct kernel_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad0;
	uint64_t ino, size, blocks, attributes_mask;
	uint64_t times[8];
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};

static int sys_fstat(int fd, struct stat *st)
{
	struct kernel_statx x;

	/* STATX_TYPE | STATX_MODE | STATX_UID | STATX_INO */
	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, 0x1u | 0x2u | 0x8u | 0x100u,
		    &x) < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(x.dev_major, x.dev_minor);
	st->st_ino = x.ino;
	st->st_mode = x.mode;
	st->st_uid = x.uid;
	return 0;
}

/* Say why removal stops at entry @name of folder @fd (or at @fd itself if
 * @name is NULL), and return -@err. */
static int stop(int fd, const char *name, const char *why, int err)
{
	char link[32], where[PATH_MAX], safe[PATH_MAX], safe_name[NAME_MAX * 4 + 1];
	ssize_t n;

	rw_fd_name(fd, link);
	n = real_readlinkat(AT_FDCWD, link, where, sizeof(where) - 1);
	if (n < 0)
		memcpy(where, "(a folder of the storage)", (n = 25) + 1);
	where[n] = '\0';
	/* Names are the storage's, which another user may have chosen. */
	rw_escape(safe, sizeof(safe), where, (size_t)n);
	if (name)
		rw_escape(safe_name, sizeof(safe_name), name, strlen(name));
	rw_say("cannot remove ", safe, name ? "/" : "", name ? safe_name : "", ": ", why,
	       "; leaving it and what is left of the storage around it", (char *)NULL);
	return -err;
}

static int same(const struct stat *st, const struct rw_fid *id)
{
	return st->st_dev == id->dev && st->st_ino == id->ino;
}

/* A folder copied from a read-only one may be 0555: its owner opens it up
 * to empty it. Root needs no mode. */
static void open_up(int fd, const struct stat *st)
{
	if (geteuid() != 0 && st->st_uid == geteuid() && (st->st_mode & 0700) != 0700)
		syscall(SYS_fchmod, fd, 0700);
}

int rw_rmtree(int parent, const char *name, const struct rw_fid *expect, int flags)
{
	struct rw_fid fixed[RW_RMTREE_LEVELS], *ids = fixed;
	size_t depth = 0, cap = RW_RMTREE_LEVELS;
	struct rw_fid emptied = { 0, 0 };
	unsigned int refills = 0;
	char buf[2048];
	struct stat st;
	int fd, r = 0;

	fd = sys_openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno != ENOTDIR && errno != ELOOP)
			return stop(parent, name, rw_strerror(errno), errno);
		if (expect)
			return stop(parent, name, "not the folder rwshim made", EEXIST);
		/* Not a folder: the entry itself. */
		if (sys_unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			return stop(parent, name, rw_strerror(errno), errno);
		return 0;
	}
	if (sys_fstat(fd, &st) < 0) {
		r = stop(parent, name, rw_strerror(errno), errno);
		goto out;
	}
	if (expect && !same(&st, expect)) {
		r = stop(parent, name, "not the folder rwshim made", EEXIST);
		goto out;
	}
	ids[0].dev = st.st_dev;
	ids[0].ino = st.st_ino;
	open_up(fd, &st);
	for (;;) {
		int acted = 0, down = -1;
		long n = 0, off;

		lseek(fd, 0, SEEK_SET);
		while (down < 0 && (n = real_getdents64(fd, buf, sizeof(buf))) > 0) {
			for (off = 0; off < n && down < 0;) {
				struct dirent64 *d = (struct dirent64 *)(buf + off);

				off += d->d_reclen;
				if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
					continue;
				acted = 1;
				if (d->d_type != DT_DIR) {
					if (sys_unlinkat(fd, d->d_name, 0) == 0 || errno == ENOENT)
						continue;
					if (errno != EISDIR) {
						r = stop(fd, d->d_name, rw_strerror(errno), errno);
						goto out;
					}
				}
				/* A folder: an empty one goes at once, so the one we
				 * just came up from costs no second visit. */
				if (sys_unlinkat(fd, d->d_name, AT_REMOVEDIR) == 0 || errno == ENOENT)
					continue;
				if (errno != ENOTEMPTY && errno != EEXIST) {
					r = stop(fd, d->d_name, rw_strerror(errno), errno);
					goto out;
				}
				if (d->d_ino == emptied.ino && ++refills > REFILLS_MAX) {
					r = stop(fd, d->d_name, "something keeps writing into it", EBUSY);
					goto out;
				}
				down = sys_openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (down < 0 && errno != ENOENT) {
					r = stop(fd, d->d_name, rw_strerror(errno), errno);
					goto out;
				}
			}
		}
		if (n < 0) {
			r = stop(fd, NULL, rw_strerror(errno), errno);
			goto out;
		}
		if (down >= 0) {
			if (sys_fstat(down, &st) < 0 || st.st_dev != ids[0].dev) {
				real_close(down);
				r = stop(fd, NULL, "a folder in it is on another filesystem", EXDEV);
				goto out;
			}
			if (depth + 1 == cap) {
				struct rw_fid *more = NULL;

				if (flags & RW_RMTREE_MAY_ALLOC)
					more = realloc(ids == fixed ? NULL : ids, cap * 2 * sizeof(*ids));
				if (!more) {
					real_close(down);
					r = stop(fd, NULL, "folders nested too deep", ENOMEM);
					goto out;
				}
				if (ids == fixed)
					memcpy(more, fixed, sizeof(fixed));
				ids = more;
				cap *= 2;
			}
			ids[++depth].dev = st.st_dev;
			ids[depth].ino = st.st_ino;
			real_close(fd);
			fd = down;
			open_up(fd, &st);
			continue;
		}
		if (acted)
			continue; /* look again: an entry may have come in behind us */
		if (depth == 0)
			break;
		/* Empty: back up to the folder we came from, if it still is. */
		down = fd;
		fd = sys_openat(down, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || sys_fstat(fd, &st) < 0 || !same(&st, &ids[depth - 1])) {
			if (fd >= 0)
				real_close(fd);
			fd = down;
			r = stop(fd, NULL, "it was moved while being removed", EXDEV);
			goto out;
		}
		real_close(down);
		emptied = ids[depth--];
	}
	real_close(fd);
	fd = -1;
	if (sys_unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = stop(parent, name, rw_strerror(errno), errno);
out:
	if (fd >= 0)
		real_close(fd);
	if (ids != fixed)
		free(ids);
	return r;
}

int rw_open_parent(const char *path, size_t len, char *copy, const char **name)
{
	char parent[PATH_MAX];
	size_t plen;

	memcpy(copy, path, len);
	copy[len] = '\0';
	plen = rw_path_split(copy, len, name);
	memcpy(parent, copy, plen);
	parent[plen] = '\0';
	return sys_openat(AT_FDCWD, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int rw_rmtree_path(const char *path, size_t len, const struct rw_fid *expect, int flags)
{
	char copy[PATH_MAX];
	const char *name;
	int pfd = rw_open_parent(path, len, copy, &name), r;

	if (pfd < 0)
		return -errno;
	r = rw_rmtree(pfd, name, expect, flags);
	real_close(pfd);
	return r;
}
