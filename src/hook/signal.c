/* SPDX-License-Identifier: MIT */
/*
 * hook/signal.c - signal handlers see the merged view.
 *
 * While a thread runs the library's own work, nested hooks pass straight
 * through (fs/real.h, rw_busy): that is what keeps rwshim and another
 * preloaded library from calling each other forever. A signal handler that
 * interrupts such work is the program's code, not ours, so every handler
 * the program installs runs through a trampoline that clears the mark for
 * the handler's duration and puts it back after.
 */
#include <signal.h>
#include <string.h>

#include "hook/hook.h"

typedef void (*plain_handler)(int);
typedef void (*info_handler)(int, siginfo_t *, void *);

/* The program's handler of each signal, and whether it takes siginfo. */
static void *handlers[NSIG];
static unsigned char takes_info[NSIG];

static void trampoline(int sig, siginfo_t *info, void *uc)
{
	int busy = rw_busy;
	void *h = sig > 0 && sig < NSIG ? __atomic_load_n(&handlers[sig], __ATOMIC_ACQUIRE) : NULL;

	rw_busy = 0;
	if (h && takes_info[sig])
		((info_handler)h)(sig, info, uc);
	else if (h)
		((plain_handler)h)(sig);
	rw_busy = busy;
}

static int is_function(const struct sigaction *act)
{
	return act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN;
}

static int install(int sig, const struct sigaction *act, struct sigaction *oldact)
{
	struct sigaction mine;
	void *before = NULL;
	unsigned char before_info = 0;
	int r, valid = sig > 0 && sig < NSIG;

	if (!real_sigaction)
		return (int)rw_enosys();
	if (valid) {
		before = __atomic_load_n(&handlers[sig], __ATOMIC_ACQUIRE);
		before_info = takes_info[sig];
	}
	if (valid && act && is_function(act)) {
		mine = *act;
		takes_info[sig] = (act->sa_flags & SA_SIGINFO) != 0;
		__atomic_store_n(&handlers[sig],
				 takes_info[sig] ? (void *)act->sa_sigaction : (void *)act->sa_handler,
				 __ATOMIC_RELEASE);
		mine.sa_sigaction = trampoline;
		mine.sa_flags |= SA_SIGINFO;
		act = &mine;
	}
	r = real_sigaction(sig, act, oldact);
	/* Report the program's own handler, never the trampoline. */
	if (r == 0 && oldact && valid && oldact->sa_sigaction == trampoline && before) {
		if (before_info) {
			oldact->sa_sigaction = (info_handler)before;
		} else {
			oldact->sa_flags &= ~SA_SIGINFO;
			oldact->sa_handler = (plain_handler)before;
		}
	}
	return r;
}

RW_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
	return install(sig, act, oldact);
}

RW_EXPORT int __sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
	return install(sig, act, oldact);
}

/* signal() with BSD semantics, as glibc's: restart, block the signal itself. */
static plain_handler set_handler(int sig, plain_handler h, int flags)
{
	struct sigaction act, old;

	if (h == SIG_ERR || sig <= 0 || sig >= NSIG) {
		errno = EINVAL;
		return SIG_ERR;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = h;
	sigemptyset(&act.sa_mask);
	if (!(flags & SA_NODEFER))
		sigaddset(&act.sa_mask, sig);
	act.sa_flags = flags;
	if (install(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

RW_EXPORT plain_handler signal(int sig, plain_handler h)
{
	return set_handler(sig, h, SA_RESTART);
}

RW_EXPORT plain_handler bsd_signal(int sig, plain_handler h)
{
	return set_handler(sig, h, SA_RESTART);
}

RW_EXPORT plain_handler ssignal(int sig, plain_handler h)
{
	return set_handler(sig, h, SA_RESTART);
}

/* System V semantics: one shot, not blocked while it runs. */
RW_EXPORT plain_handler sysv_signal(int sig, plain_handler h)
{
	return set_handler(sig, h, SA_RESETHAND | SA_NODEFER);
}

RW_EXPORT plain_handler __sysv_signal(int sig, plain_handler h)
{
	return set_handler(sig, h, SA_RESETHAND | SA_NODEFER);
}
