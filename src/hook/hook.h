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
#include "fs/view.h"
#include "rwshim.h"

/** Set the library up if nobody did yet; return 1 when hooks may act. */
int rw_ready(void);

/* Where the set-up is (hook/init.c). */
enum { RW_INIT_NONE, RW_INIT_RUNNING, RW_INIT_DONE };
extern int rw_init_state;

/*
 * 1 when a call that only reads has nothing for the hooks to do: the
 * library is set up, and the tree has no overlay and protects nothing.
 * Such a call goes straight to the real function, the common case of
 * every program that writes nowhere read-only.
 */
static inline int rw_quiet(void)
{
	return rw_likely(__atomic_load_n(&rw_init_state, __ATOMIC_ACQUIRE) == RW_INIT_DONE) &&
	       !rw_view_live();
}

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

/* ---- the shapes most hooks share (hook/common.c) ---------------------- */

struct rw_loc;

/**
 * For a hook that only looks: 0 when the real call on the program's own
 * arguments is right (nothing of the overlay is near), 1 with @loc filled
 * when the overlay may matter (@loc->layer is never RW_NONE then), or
 * -errno (-ENOENT when the merged view has nothing there).
 */
int rw_look(int dirfd, const char *path, int follow, struct rw_loc *loc);

/*
 * An operation on one existing entry, given as a real *at() call: @dirfd
 * and @path name the entry to act on, @flags carries AT_SYMLINK_NOFOLLOW
 * when the entry itself (not a link's target) is meant. Returns a value or
 * -errno.
 */
typedef int (*rw_at_op)(int dirfd, const char *path, int flags, void *arg);

/**
 * Change entry @path (relative to @dirfd) with @op, copying it up first
 * when the real filesystem refuses the change: the shape of chmod, chown,
 * utimensat, truncate and setxattr. @call names the hook for --log and
 * --audit. @nofollow when the entry itself is meant. Entries in the overlay
 * are changed there; entries only on the real filesystem are changed there
 * if it takes the change.
 */
int rw_modify_at(const char *call, int dirfd, const char *path, int nofollow, rw_at_op op,
		 void *arg);

/**
 * The same for a descriptor: @fd's entry is found by its /proc/self/fd
 * name. Used by fchmod, fchown, futimens, fsetxattr on a descriptor of a
 * read-only file (the change lands on the copy; the descriptor keeps
 * reading the same content).
 */
int rw_modify_fd(const char *call, int fd, rw_at_op op, void *arg);

struct rw_vpath;

/**
 * The start of every write the overlay takes over: @call names the hook for
 * --log and --audit, @vp the path (@to the second one of a rename, or
 * NULL), @flags the open flags (-1 for none), @err
 * what the real call said. Returns 0 to go on in the overlay, or -errno to
 * give the program: @err for excluded paths and in audit mode (which logs
 * the refusal), -ENOSPC or @err when the storage cannot take it.
 */
int rw_redirect_begin(const char *call, const struct rw_vpath *vp, const struct rw_vpath *to,
		      int flags, int err);

/** The end of it: log @result (a value or -errno) with --log; return it. */
int rw_redirect_end(const char *call, const struct rw_vpath *vp, const struct rw_vpath *to,
		    int flags, int result);

/** Note what exec hooks hand to new programs (the library's path, the
 * settings the tree started with). Called once at start. */
void rw_exec_init(void);

/* The canonical implementations the forwarders call. Each returns a value
 * or -errno and never touches errno. */
int rw_openat(int dirfd, const char *path, int flags, mode_t mode);
int rw_fstatat(int dirfd, const char *path, struct stat *st, int flags);
#ifdef STATX_TYPE
int rw_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx);
#endif
int rw_faccessat(int dirfd, const char *path, int mode, int flags);
int rw_mkdirat(int dirfd, const char *path, mode_t mode);
int rw_unlinkat(int dirfd, const char *path, int flags);
int rw_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		 unsigned int flags);

#endif
