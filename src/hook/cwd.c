/* SPDX-License-Identifier: MIT */
/*
 * hook/cwd.c - the working folder: chdir into folders that only the overlay
 * has, and getcwd answering the path the program knows, never the storage.
 */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/session.h"
#include "fs/view.h"
#include "hook/hook.h"

static int chdir_view(const char *path)
{
	char rel[PATH_MAX];
	struct rw_vpath vp;
	struct rw_loc loc;
	int r, fd;

	if (!rw_view_live() || rw_view_abs(AT_FDCWD, path, &vp) < 0 || rw_view_quick(&vp) != RW_LOOK) {
		r = real_chdir(path);
		rw_view_cwd_changed(NULL, 0, 0);
		return r < 0 ? -errno : 0;
	}
	r = rw_view_resolve(&vp, RW_FOLLOW | RW_CANON, &loc);
	if (r < 0)
		return r;
	if (loc.layer == RW_NONE)
		return -ENOENT;
	if (!S_ISDIR(loc.st.st_mode))
		return -ENOTDIR;
	if (loc.layer != RW_UPPER) {
		/* A merged folder is entered through its lower half. */
		r = real_chdir(loc.path);
	} else {
		if (rw_view_upper_rel(loc.path, loc.len, rel, sizeof(rel)) < 0)
			return -ENAMETOOLONG;
		fd = real_openat(rw_sess.fd, rel, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = real_fchdir(fd);
		real_close(fd);
	}
	if (r < 0) {
		rw_view_cwd_changed(NULL, 0, 0);
		return -errno;
	}
	rw_view_cwd_changed(loc.path, loc.len, loc.layer == RW_UPPER);
	return 0;
}

RW_EXPORT int chdir(const char *path)
{
	int saved = errno, r;

	if (!rw_ready()) {
		r = RW_REAL(chdir, (int)syscall(SYS_chdir, path), path);
		return r;
	}
	return rw_ret(chdir_view(path), saved);
}

RW_EXPORT int fchdir(int fd)
{
	int r = RW_REAL(fchdir, (int)syscall(SYS_fchdir, fd), fd);

	if (r == 0) {
		int saved = errno;
		rw_view_cwd_changed(NULL, 0, 0);
		errno = saved;
	}
	return r;
}

RW_EXPORT char *getcwd(char *buf, size_t size)
{
	char here[PATH_MAX];
	size_t len;
	char *r;

	if (!rw_ready() || !rw_sess.ix || rw_index_empty(rw_sess.ix))
		return RW_REAL(getcwd, rw_enosys_ptr(), buf, size);
	if (!buf) {
		/* libc allocates, as the program asked; the path only shrinks. */
		r = real_getcwd(NULL, size);
		if (r)
			rw_view_unmap(r, strlen(r));
		return r;
	}
	if (!real_getcwd(here, sizeof(here)))
		return NULL;
	len = rw_view_unmap(here, strlen(here));
	if (size == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (len + 1 > size) {
		errno = ERANGE;
		return NULL;
	}
	memcpy(buf, here, len + 1);
	return buf;
}
