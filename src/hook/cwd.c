/* SPDX-License-Identifier: MIT */
/*
 * hook/cwd.c - the working folder: chdir into folders that only the overlay
 * has, and getcwd (with __getcwd_chk, getwd, __getwd_chk and
 * get_current_dir_name) answering the path the program knows, never the
 * storage.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/session.h"
#include "fs/view.h"
#include "fs/store.h"
#include "hook/calls.h"
#include "hook/hook.h"

/* glibc's abort for a FORTIFY check that failed. */
#ifdef __GLIBC__
extern void __chk_fail(void) __attribute__((noreturn));
#else /* musl has no FORTIFY entry points: nothing calls the *_chk hooks */
#define __chk_fail() abort()
#endif

/* chdir into overlay folder @loc. Not inlined: its storage path is on the
 * stack only while it opens the folder. */
static __attribute__((noinline)) int chdir_upper(const struct rw_loc *loc)
{
	char rel[PATH_MAX];
	int fd, r;

	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	fd = rw_store_open(rel, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	r = real_fchdir(fd) < 0 ? -errno : 0;
	real_close(fd);
	return r;
}

static int chdir_view(const char *path)
{
	struct rw_vpath vp;
	struct rw_loc loc;
	int r;

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
		r = real_chdir(loc.path) < 0 ? -errno : 0;
	} else {
		r = chdir_upper(&loc);
	}
	if (r < 0) {
		rw_view_cwd_changed(NULL, 0, 0);
		return r;
	}
	rw_view_cwd_changed(loc.path, loc.len, loc.layer == RW_UPPER);
	return 0;
}

int rw_chdir(const char *path)
{
	return chdir_view(path);
}

void rw_cwd_forget(void)
{
	rw_view_cwd_changed(NULL, 0, 0);
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

/* ---- where the program is ------------------------------------------------------- */

long rw_getcwd(char *buf, size_t size)
{
	char here[PATH_MAX];
	size_t len;

	if (!rw_sess.ix || rw_index_empty(rw_sess.ix)) {
		/* No overlay, so no storage path to map back. */
		if (!real_getcwd(buf, size))
			return -errno;
		return (long)strlen(buf);
	}
	if (size == 0)
		return -EINVAL;
	if (!real_getcwd(here, sizeof(here)))
		return -errno;
	len = rw_view_unmap(here, strlen(here));
	if (len + 1 > size)
		return -ERANGE;
	memcpy(buf, here, len + 1);
	return (long)len;
}

/* getcwd, also with a NULL @buf (libc allocates, as the program asked). */
static char *cwd_get(char *buf, size_t size)
{
	int saved = errno;
	long r;
	char *p;

	if (!buf) {
		p = real_getcwd(NULL, size);
		if (p && rw_sess.ix)
			rw_view_unmap(p, strlen(p));
		return p;
	}
	r = rw_getcwd(buf, size);
	if (r < 0) {
		errno = (int)-r;
		return NULL;
	}
	errno = saved;
	return buf;
}

RW_EXPORT char *getcwd(char *buf, size_t size)
{
	if (!rw_ready())
		return RW_REAL(getcwd, rw_enosys_ptr(), buf, size);
	return cwd_get(buf, size);
}

/* FORTIFY's getcwd: @buflen is what the compiler knows @buf holds. */
RW_EXPORT char *__getcwd_chk(char *buf, size_t size, size_t buflen)
{
	if (size > buflen)
		__chk_fail();
	if (!rw_ready())
		return RW_REAL(__getcwd_chk, rw_enosys_ptr(), buf, size, buflen);
	return cwd_get(buf, size);
}

/* getwd: @buf holds PATH_MAX bytes; a failure leaves its message there. */
static char *wd_get(char *buf)
{
	char here[PATH_MAX];
	long r;

	if (!buf) {
		errno = EINVAL;
		return NULL;
	}
	r = rw_getcwd(here, sizeof(here));
	if (r < 0) {
#ifdef __GLIBC__
		const char *m = strerror_r((int)-r, buf, PATH_MAX);
#else /* musl: XSI strerror_r; its strerror is thread-safe */
		const char *m = strerror((int)-r);
#endif
		if (m != buf) {
			strncpy(buf, m, PATH_MAX - 1);
			buf[PATH_MAX - 1] = '\0';
		}
		errno = (int)-r;
		return NULL;
	}
	memcpy(buf, here, (size_t)r + 1);
	return buf;
}

RW_EXPORT char *getwd(char *buf)
{
	if (!rw_ready())
		return RW_REAL(getwd, rw_enosys_ptr(), buf);
	return wd_get(buf);
}

RW_EXPORT char *__getwd_chk(char *buf, size_t buflen)
{
	if (buflen < PATH_MAX)
		__chk_fail();
	if (!rw_ready())
		return RW_REAL(__getwd_chk, rw_enosys_ptr(), buf, buflen);
	return wd_get(buf);
}

/* $PWD when it names the working folder (it keeps the symlinks the shell
 * went through), else getcwd; both through the merged view. */
RW_EXPORT char *get_current_dir_name(void)
{
	struct stat a, b;
	const char *pwd;
	int saved = errno;
	char *r;

	if (!rw_ready())
		return RW_REAL(get_current_dir_name, rw_enosys_ptr());
	pwd = getenv("PWD");
	if (pwd && pwd[0] == '/' && rw_fstatat(AT_FDCWD, pwd, &a, 0) == 0 &&
	    rw_fstatat(AT_FDCWD, ".", &b, 0) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		r = strdup(pwd);
		errno = r ? saved : ENOMEM;
		return r;
	}
	return cwd_get(NULL, 0);
}
