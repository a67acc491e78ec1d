/* SPDX-License-Identifier: MIT */
/*
 * fs/real.c - definitions of the real_* pointers and their one resolution.
 */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>

#include "fs/real.h"
#include "rwshim.h"

/* What the C library may lack (musl before 1.2.5 has neither): the system
 * call itself, through the real syscall() (ours routes it back to a hook). */
static int sys_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
			 unsigned int flags)
{
	return (int)real_syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

static int sys_execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
			int flags)
{
	return (int)real_syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

#define RW_FN(ret, name, params) ret(*real_##name) params;
#include "hook/hooks.def"
#undef RW_FN

struct real_entry {
	const char *name;
	void **ptr;
};

static const struct real_entry real_table[] = {
#define RW_FN(ret, name, params) { #name, (void **)&real_##name },
#include "hook/hooks.def"
#undef RW_FN
};

__thread int rw_busy __attribute__((tls_model("initial-exec")));

/* 0 = not yet, 1 = resolving, 2 = done. */
static int resolve_state;
/* Set while this thread resolves: dlsym may call a hook (through calloc). */
static __thread int resolving_here __attribute__((tls_model("initial-exec")));

int rw_real_resolve(void)
{
	size_t i;
	int expected = 0;

	if (__atomic_load_n(&resolve_state, __ATOMIC_ACQUIRE) == 2)
		return 0;
	if (resolving_here)
		return -EAGAIN;
	if (!__atomic_compare_exchange_n(&resolve_state, &expected, 1, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		/* Another thread resolves: it takes microseconds, so wait. */
		while (__atomic_load_n(&resolve_state, __ATOMIC_ACQUIRE) != 2)
			sched_yield();
		return 0;
	}
	resolving_here = 1;
	for (i = 0; i < RW_ARRAY_LEN(real_table); i++) {
		void *p = dlsym(RTLD_NEXT, real_table[i].name);
		__atomic_store_n(real_table[i].ptr, p, __ATOMIC_RELEASE);
	}
	if (!real_renameat2)
		real_renameat2 = sys_renameat2;
	if (!real_execveat)
		real_execveat = sys_execveat;
	resolving_here = 0;
	__atomic_store_n(&resolve_state, 2, __ATOMIC_RELEASE);
	return 0;
}
