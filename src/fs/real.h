/* SPDX-License-Identifier: MIT */
/*
 * fs/real.h - pointers to the functions libc exports under the names rwshim
 * interposes (and the few more it uses), resolved once with dlsym(RTLD_NEXT).
 * The list is hook/hooks.def.
 */
#ifndef RW_FS_REAL_H
#define RW_FS_REAL_H

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#ifndef RENAME_NOREPLACE /* musl before 1.2.5; fs/real.c makes renameat2 a syscall */
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#endif

#define RW_FN(ret, name, params) extern ret(*real_##name) params;
#include "hook/hooks.def"
#undef RW_FN

/*
 * Set while this thread runs the library's own work. Another preloaded
 * library that rwshim's real_* calls reach (fakeroot) may call back into a
 * hooked name (its fstatat calls __fxstatat): such a nested hook must go
 * straight to the real function, or the two libraries recurse forever.
 */
extern __thread int rw_busy __attribute__((tls_model("initial-exec")));

/* The library's own work is not a cancellation point: a thread cancelled
 * half-way through a copy-up would leave descriptors and half copies. The
 * call the program asked for stays one (it runs outside the scope). */
static inline int rw_busy_enter(void)
{
	int old = PTHREAD_CANCEL_ENABLE;

	if (rw_busy++ == 0)
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	return old;
}

static inline void rw_busy_leave(int *old)
{
	int unused;

	if (--rw_busy == 0)
		pthread_setcancelstate(*old, &unused);
}

/* Mark the rest of the enclosing block as the library's own work. */
#define RW_BUSY_SCOPE() \
	int rw_busy_scope __attribute__((cleanup(rw_busy_leave), unused)) = rw_busy_enter()

/**
 * Resolve every real_* pointer. Safe to call more than once and from any
 * thread; a function libc lacks stays NULL. Returns 0, or -EAGAIN when called
 * again from inside an ongoing resolution (dlsym may call back into a hook).
 */
int rw_real_resolve(void);

#endif
