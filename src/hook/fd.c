/* SPDX-License-Identifier: MIT */
/*
 * hook/fd.c - keeping the session descriptor open. Its shared lock is what
 * keeps the tree's storage alive (fs/session.h), so the descriptor must
 * survive programs that close everything: close() of it is refused as if
 * it were not open, close sweeps step around it, and dup2() onto its number
 * first moves it away. Closing or replacing any other descriptor also ends
 * the merged getdents64 listing kept for it.
 */
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/dirmerge.h"
#include "fs/session.h"
#include "hook/hook.h"

RW_EXPORT int close(int fd)
{
	if (rw_unlikely(rw_session_owns_fd(fd))) {
		errno = EBADF;
		return -1;
	}
	rw_dir_fd_forget(fd);
	return RW_REAL(close, (int)syscall(SYS_close, fd), fd);
}

static int close_range_raw(unsigned int first, unsigned int last, int flags)
{
	if (first > last)
		return 0;
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		rw_dir_fd_forget_range(first, last);
	return RW_REAL(close_range, (int)syscall(SYS_close_range, first, last, flags), first, last,
		       flags);
}

RW_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	unsigned int own = (unsigned int)rw_sess.fd;
	int r;

	if (!rw_session_owns_fd(rw_sess.fd) || own < first || own > last)
		return close_range_raw(first, last, flags);
	r = close_range_raw(first, own - 1, flags);
	if (r == 0 && own < ~0u)
		r = close_range_raw(own + 1, last, flags);
	return r;
}

RW_EXPORT void closefrom(int low)
{
	if (low < 0)
		low = 0;
	close_range((unsigned int)low, ~0u, 0);
}

RW_EXPORT int dup2(int oldfd, int newfd)
{
	if (rw_unlikely(rw_session_owns_fd(newfd)) && oldfd != newfd)
		rw_session_move_fd(newfd);
	if (oldfd != newfd)
		rw_dir_fd_forget(newfd);
	return RW_REAL(dup2, (int)syscall(SYS_dup2, oldfd, newfd), oldfd, newfd);
}

RW_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	if (rw_unlikely(rw_session_owns_fd(newfd)) && oldfd != newfd)
		rw_session_move_fd(newfd);
	if (oldfd != newfd)
		rw_dir_fd_forget(newfd);
	return RW_REAL(dup3, (int)syscall(SYS_dup3, oldfd, newfd, flags), oldfd, newfd, flags);
}
