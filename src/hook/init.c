/* SPDX-License-Identifier: MIT */
/*
 * hook/init.c - setting the library up, once: resolve the real functions,
 * read the settings from the environment, join or make the tree's session.
 * Runs from the constructor, or from the first hook when another library's
 * constructor calls one first. Never aborts the program: a problem is said
 * in one line and the library falls back to passing calls through.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <string.h>

#include "core/config.h"
#include "fs/log.h"
#include "fs/msg.h"
#include "fs/reaper.h"
#include "fs/session.h"
#include "hook/hook.h"

int rw_init_state;
static int active;
int rw_redirect_eacces;

/* Read every setting; bad ones are said later, once per tree. */
static unsigned int read_config(char errs[][160])
{
	unsigned int bad = 0;
	int i;

	rw_config_defaults(&rw_cfg);
	for (i = 0; i < RW_SET_COUNT; i++) {
		const char *name = rw_config_env_name((enum rw_setting)i);
		const char *val = getenv(name);
		if (val && rw_config_set(&rw_cfg, (enum rw_setting)i, name, val, errs[i], 160) < 0)
			bad |= 1u << i;
	}
	return bad;
}

static void init(void)
{
	char errs[RW_SET_COUNT][160];
	unsigned int bad;
	int i;

	if (rw_real_resolve() < 0)
		return;
	bad = read_config(errs);
	rw_redirect_eacces = rw_cfg.eacces;
	/* Without a session the hooks still run: the first refused write says
	 * once why it cannot be redirected. */
	rw_session_start();
	__atomic_store_n(&active, 1, __ATOMIC_RELEASE);
	rw_exec_init();
	rw_log_init();
	for (i = 0; i < RW_SET_COUNT; i++)
		if (bad & (1u << i))
			rw_say_once((enum rw_warning)(RW_WARN_CONFIG + i), errs[i], "; using the default",
				    (char *)NULL);
}

int rw_ready(void)
{
	int expected = RW_INIT_NONE;

	if (rw_likely(__atomic_load_n(&rw_init_state, __ATOMIC_ACQUIRE) == RW_INIT_DONE))
		return __atomic_load_n(&active, __ATOMIC_RELAXED) && !rw_busy;
	if (!__atomic_compare_exchange_n(&rw_init_state, &expected, RW_INIT_RUNNING, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* Set-up is under way (maybe below us on this very thread): the
		 * real function is all we may call. */
		int saved = errno;
		rw_real_resolve();
		errno = saved;
		return 0;
	}
	{
		int saved = errno;
		init();
		errno = saved;
	}
	__atomic_store_n(&rw_init_state, RW_INIT_DONE, __ATOMIC_RELEASE);
	return __atomic_load_n(&active, __ATOMIC_RELAXED);
}

/* glibc hands constructors the program's arguments; musl passes nothing
 * there, and the reaper then keeps the program's name. */
__attribute__((constructor)) static void rw_constructor(int argc, char **argv, char **envp)
{
	(void)envp;
#ifdef __GLIBC__
	rw_session_note_args(argc, argv);
#else
	(void)argc;
	(void)argv;
#endif
	rw_ready();
}

__attribute__((destructor)) static void rw_destructor(void)
{
	int saved = errno;

	if (__atomic_load_n(&rw_init_state, __ATOMIC_ACQUIRE) == RW_INIT_DONE)
		rw_session_end();
	errno = saved;
}

/* Shells (dash) leave with _exit(), which runs no destructor. */
RW_EXPORT void _exit(int status)
{
	if (__atomic_load_n(&rw_init_state, __ATOMIC_ACQUIRE) == RW_INIT_DONE && !rw_busy)
		rw_session_end();
	if (real__exit)
		real__exit(status);
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

RW_EXPORT void _Exit(int status)
{
	_exit(status);
}
