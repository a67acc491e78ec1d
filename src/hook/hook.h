/* SPDX-License-Identifier: MIT */
/*
 * hook/hook.h - what every interposer shares.
 *
 * The rules each hook keeps:
 *  - Before the library is set up (another library's constructor may call
 *    open() before ours ran), or while it sets itself up, a hook calls the
 *    real function: rw_ready() is the gate.
 *  - No malloc, no stdio, no lock: state is read-only after start except
 *    the shared index (atomics), the cwd cache (a seqlock) and the listing
 *    table (compare-and-swap). Per-call data lives on the stack.
 *  - Every family funnels into one canonical *at implementation; the other
 *    spellings are one-line forwarders.
 *  - errno is written once, at the end: internal helpers return -errno.
 *    On success errno is what it was on entry.
 */
#ifndef RW_HOOK_HOOK_H
#define RW_HOOK_HOOK_H

#include <errno.h>

#include "fs/real.h"
#include "rwshim.h"

/** Set the library up if nobody did yet; return 1 when hooks may act. */
int rw_ready(void);

/* Call the real function; before it is resolved (a hook reached from inside
 * dlsym) use @fallback, usually the raw system call. */
#define RW_REAL(name, fallback, ...) (real_##name ? real_##name(__VA_ARGS__) : (fallback))

/** For a function with no system call to fall back on: fail with ENOSYS. */
static inline long rw_enosys(void)
{
	errno = ENOSYS;
	return -1;
}

/** The same for functions that return a pointer. */
static inline void *rw_enosys_ptr(void)
{
	errno = ENOSYS;
	return NULL;
}

/** Turn a -errno or value result into the C convention, writing errno once. */
static inline int rw_ret(int r, int saved_errno)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	errno = saved_errno;
	return r;
}

/* Whether a write refused with @err may be redirected. */
static inline int rw_refused(int err)
{
	extern int rw_redirect_eacces;
	return err == EROFS || (rw_redirect_eacces && (err == EACCES || err == EPERM));
}

/* The canonical implementations the forwarders call. Each returns a value
 * or -errno and never touches errno. */
int rw_openat(int dirfd, const char *path, int flags, mode_t mode);
int rw_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int rw_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx);
int rw_faccessat(int dirfd, const char *path, int mode, int flags);
int rw_mkdirat(int dirfd, const char *path, mode_t mode);
int rw_unlinkat(int dirfd, const char *path, int flags);
int rw_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		 unsigned int flags);

#endif
