/* SPDX-License-Identifier: MIT */
/*
 * hook/syscall.c - syscall(): the path-taking system calls a program makes
 * through libc's syscall() go to the same canonical implementations as the
 * libc functions (openat2 with its RESOLVE_* flags, renameat2, statx,
 * faccessat2, open, stat, unlink, mkdir and their *at forms, getdents64,
 * getcwd, chdir); io_uring_setup answers ENOSYS, so runtimes fall back to
 * plain calls the hooks see. Every other number passes to libc's syscall()
 * with all six arguments.
 *
 * The library's own fallbacks call syscall() too (before the real functions
 * are known): until the library is set up with a session, everything
 * passes through, and with no real syscall() yet the system call is made
 * directly.
 */
#include <linux/openat2.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/session.h"
#include "fs/view.h"
#include "hook/calls.h"
#include "hook/hook.h"

/* The system call itself, for when libc's syscall() is not resolved yet.
 * Returns the kernel's answer (-errno on failure). */
static long raw_syscall(long nr, const long *a)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = a[3];
	register long r8 __asm__("r8") = a[4];
	register long r9 __asm__("r9") = a[5];
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a[0];
	register long x1 __asm__("x1") = a[1];
	register long x2 __asm__("x2") = a[2];
	register long x3 __asm__("x3") = a[3];
	register long x4 __asm__("x4") = a[4];
	register long x5 __asm__("x5") = a[5];

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
#else
	(void)nr;
	(void)a;
	return -ENOSYS;
#endif
}

/* libc's syscall(), or the system call itself: value, or -1 with errno. */
static long pass(long nr, const long *a)
{
	long r;

	if (real_syscall)
		return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	r = raw_syscall(nr, a);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)
/* The first struct open_how, the smallest the kernel takes (uapi keeps
 * this in linux/fcntl.h of the kernel only). */
#define OPEN_HOW_SIZE_VER0 24
#define RESOLVE_KNOWN                                                                     \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | \
	 RESOLVE_IN_ROOT | RESOLVE_CACHED)

/* Whether relative @path climbs above its start with "..". */
static int climbs(const char *path)
{
	long depth = 0;
	const char *p = path, *c;

	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		while (*p && *p != '/')
			p++;
		if (p - c == 2 && c[0] == '.' && c[1] == '.') {
			if (--depth < 0)
				return 1;
		} else if (!(p - c == 1 && c[0] == '.')) {
			depth++;
		}
	}
	return 0;
}

/*
 * openat2 in the merged view, for RESOLVE_* flags the kernel cannot apply
 * to the overlay. RESOLVE_NO_SYMLINKS (a link on the way is ELOOP) and
 * RESOLVE_NO_MAGICLINKS (nothing of the merged view is in /proc) are
 * honoured; so is RESOLVE_BENEATH (an absolute path or a ".." above @dirfd
 * is EXDEV) on a path that meets no link. A link under RESOLVE_BENEATH,
 * RESOLVE_IN_ROOT and RESOLVE_NO_XDEV are not, and answer ENOSYS, so the
 * caller falls back to openat as on a kernel without openat2.
 */
static int openat2_view(int dirfd, const char *path, const struct open_how *how)
{
	struct rw_vpath vp;
	struct rw_loc loc;
	int flags = (int)how->flags, linked, r;

	if (how->resolve & (RESOLVE_IN_ROOT | RESOLVE_NO_XDEV))
		return -ENOSYS;
	if ((how->resolve & RESOLVE_BENEATH) && (path[0] == '/' || climbs(path)))
		return -EXDEV;
	r = rw_view_abs(dirfd, path, &vp);
	if (r < 0)
		return r;
	r = rw_view_resolve(&vp, ((flags & O_NOFOLLOW) ? 0 : RW_FOLLOW) | RW_CANON, &loc);
	if (r < 0)
		return r;
	/* The walk followed a link wherever its result differs from the
	 * name as written (both are absolute and without "." or ".."). */
	linked = loc.len != vp.len || memcmp(loc.path, vp.abs, vp.len);
	if (linked && (how->resolve & RESOLVE_NO_SYMLINKS))
		return -ELOOP;
	if (linked && (how->resolve & RESOLVE_BENEATH))
		return -ENOSYS;
	/* The canonical path has no link left but, under O_NOFOLLOW, the last. */
	return rw_openat(AT_FDCWD, loc.path, flags, (mode_t)how->mode);
}

static long route_openat2(int dirfd, const char *path, const struct open_how *uhow, size_t size)
{
	struct open_how how;
	struct rw_vpath vp;
	const unsigned char *tail;
	size_t i;
	long a[6] = { dirfd, (long)path, (long)uhow, (long)size, 0, 0 };
	long fd;
	int in_view;

	/* What the kernel checks first, so the answers do not depend on
	 * where the path is. */
	if (!uhow || !path || size < OPEN_HOW_SIZE_VER0 || size > 4096) {
		fd = pass(SYS_openat2, a);
		return fd < 0 ? -errno : fd;
	}
	memset(&how, 0, sizeof(how));
	memcpy(&how, uhow, size < sizeof(how) ? size : sizeof(how));
	for (tail = (const unsigned char *)uhow, i = sizeof(how); i < size; i++)
		if (tail[i])
			return -E2BIG;
	if ((how.flags >> 32) || (how.resolve & ~(unsigned long long)RESOLVE_KNOWN) ||
	    (how.mode & ~07777ULL) ||
	    (how.mode && !(how.flags & O_CREAT) && (how.flags & O_TMPFILE) != O_TMPFILE) ||
	    (how.resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) == (RESOLVE_BENEATH | RESOLVE_IN_ROOT))
		return -EINVAL;
	/* RESOLVE_CACHED never creates or truncates. */
	if ((how.resolve & RESOLVE_CACHED) &&
	    ((how.flags & (O_CREAT | O_TRUNC)) || (how.flags & O_TMPFILE) == O_TMPFILE))
		return -EAGAIN;
	if (!how.resolve)
		return rw_openat(dirfd, path, (int)how.flags, (mode_t)how.mode);
	in_view = path[0] && rw_view_live() && rw_view_abs(dirfd, path, &vp) == 0 &&
		  rw_view_quick(&vp) == RW_LOOK;
	if (!in_view) {
		/* Nothing of the overlay near: the kernel resolves, unless it
		 * refuses a write that the overlay takes. */
		fd = pass(SYS_openat2, a);
		if (fd >= 0)
			return fd;
		if (!((how.flags & WRITE_FLAGS) || (how.flags & O_TMPFILE) == O_TMPFILE) ||
		    !rw_refused(errno) || !path[0])
			return -errno;
	}
	return openat2_view(dirfd, path, &how);
}

/* A path system call, sent to its canonical implementation: value or -errno. */
static long route(long nr, const long *a, int *routed)
{
	*routed = 1;
	switch (nr) {
#ifdef SYS_open
	case SYS_open:
		return rw_openat(AT_FDCWD, (const char *)a[0], (int)a[1], (mode_t)a[2]);
#endif
	case SYS_openat:
		return rw_openat((int)a[0], (const char *)a[1], (int)a[2], (mode_t)a[3]);
	case SYS_openat2:
		return route_openat2((int)a[0], (const char *)a[1], (const struct open_how *)a[2],
				     (size_t)a[3]);
#ifdef SYS_stat
	case SYS_stat:
		return rw_fstatat(AT_FDCWD, (const char *)a[0], (struct stat *)a[1], 0);
	case SYS_lstat:
		return rw_fstatat(AT_FDCWD, (const char *)a[0], (struct stat *)a[1],
				  AT_SYMLINK_NOFOLLOW);
#endif
	case SYS_newfstatat:
		return rw_fstatat((int)a[0], (const char *)a[1], (struct stat *)a[2], (int)a[3]);
#ifdef STATX_TYPE
	case SYS_statx:
		return rw_statx((int)a[0], (const char *)a[1], (int)a[2], (unsigned int)a[3],
				(struct statx *)a[4]);
#endif
#ifdef SYS_access
	case SYS_access:
		return rw_faccessat(AT_FDCWD, (const char *)a[0], (int)a[1], 0);
#endif
	case SYS_faccessat:
		return rw_faccessat((int)a[0], (const char *)a[1], (int)a[2], 0);
	case SYS_faccessat2:
		return rw_faccessat((int)a[0], (const char *)a[1], (int)a[2], (int)a[3]);
#ifdef SYS_unlink
	case SYS_unlink:
		return rw_unlinkat(AT_FDCWD, (const char *)a[0], 0);
	case SYS_rmdir:
		return rw_unlinkat(AT_FDCWD, (const char *)a[0], AT_REMOVEDIR);
#endif
	case SYS_unlinkat:
		return rw_unlinkat((int)a[0], (const char *)a[1], (int)a[2]);
#ifdef SYS_mkdir
	case SYS_mkdir:
		return rw_mkdirat(AT_FDCWD, (const char *)a[0], (mode_t)a[1]);
#endif
	case SYS_mkdirat:
		return rw_mkdirat((int)a[0], (const char *)a[1], (mode_t)a[2]);
#ifdef SYS_rename
	case SYS_rename:
		return rw_renameat2(AT_FDCWD, (const char *)a[0], AT_FDCWD, (const char *)a[1], 0);
#endif
#ifdef SYS_renameat
	case SYS_renameat:
		return rw_renameat2((int)a[0], (const char *)a[1], (int)a[2], (const char *)a[3], 0);
#endif
	case SYS_renameat2:
		return rw_renameat2((int)a[0], (const char *)a[1], (int)a[2], (const char *)a[3],
				    (unsigned int)a[4]);
	case SYS_getdents64:
		return rw_getdents64((int)a[0], (void *)a[1], (size_t)a[2]);
	case SYS_getcwd: {
		/* The kernel's answer counts the NUL. */
		long r;
		if (!a[0])
			break;
		r = rw_getcwd((char *)a[0], (size_t)a[1]);
		return r < 0 ? r : r + 1;
	}
	case SYS_chdir:
		return rw_chdir((const char *)a[0]);
	case SYS_fchdir: {
		long r = pass(nr, a);
		if (r < 0)
			return -errno;
		rw_cwd_forget();
		return r;
	}
	case SYS_io_uring_setup:
		/* No rings: libuv, liburing users and others fall back to the
		 * plain calls, which the hooks see. */
		return -ENOSYS;
	}
	*routed = 0;
	return 0;
}

/* Whether @nr is one route() takes: only those wake the library up. */
static int is_routed(long nr)
{
	switch (nr) {
#ifdef SYS_open
	case SYS_open:
#endif
#ifdef SYS_stat
	case SYS_stat:
	case SYS_lstat:
#endif
#ifdef SYS_access
	case SYS_access:
#endif
#ifdef SYS_unlink
	case SYS_unlink:
	case SYS_rmdir:
#endif
#ifdef SYS_mkdir
	case SYS_mkdir:
#endif
#ifdef SYS_rename
	case SYS_rename:
#endif
#ifdef SYS_renameat
	case SYS_renameat:
#endif
	case SYS_openat:
	case SYS_openat2:
	case SYS_newfstatat:
#ifdef STATX_TYPE
	case SYS_statx:
#endif
	case SYS_faccessat:
	case SYS_faccessat2:
	case SYS_unlinkat:
	case SYS_mkdirat:
	case SYS_renameat2:
	case SYS_getdents64:
	case SYS_getcwd:
	case SYS_chdir:
	case SYS_fchdir:
	case SYS_io_uring_setup:
		return 1;
	}
	return 0;
}

RW_EXPORT long syscall(long nr, ...)
{
	long a[6], r;
	int saved = errno, routed, i;
	va_list ap;

	/* Like libc's, read all six: the callee cannot know how many came. */
	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	/* Only a library already set up with a session routes anything:
	 * syscall() is what allocators (jemalloc) call to open files while
	 * they set themselves up, and setting rwshim up from there would
	 * allocate inside their set-up. */
	if (!is_routed(nr) || !__atomic_load_n(&rw_sess.ix, __ATOMIC_ACQUIRE) || !rw_ready())
		return pass(nr, a);
	r = route(nr, a, &routed);
	if (!routed)
		return pass(nr, a);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	errno = saved;
	return r;
}
