/* SPDX-License-Identifier: MIT */
/*
 * fs/msg.c - stderr messages (see msg.h). No stdio, no malloc.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "fs/msg.h"
#include "fs/session.h"

static void say_list(const char *first, va_list ap)
{
	char line[1024];
	size_t n = 0;
	const char *s;

	memcpy(line, "rwshim: ", 8);
	n = 8;
	for (s = first; s; s = va_arg(ap, const char *)) {
		size_t len = strlen(s);
		if (len > sizeof(line) - 1 - n)
			len = sizeof(line) - 1 - n;
		memcpy(line + n, s, len);
		n += len;
	}
	line[n++] = '\n';
	/* One write, so lines from many processes never tear. */
	(void)!write(2, line, n);
}

void rw_say(const char *first, ...)
{
	va_list ap;

	va_start(ap, first);
	say_list(first, ap);
	va_end(ap);
}

void rw_say_once(enum rw_warning which, const char *first, ...)
{
	static unsigned int said_here;
	unsigned int bit = 1u << which;
	va_list ap;

	if (__atomic_fetch_or(&said_here, bit, __ATOMIC_RELAXED) & bit)
		return;
	if (rw_sess.ix && !rw_sess.ix_ro && (__atomic_fetch_or(&rw_sess.ix->warned, bit, __ATOMIC_RELAXED) & bit))
		return;
	va_start(ap, first);
	say_list(first, ap);
	va_end(ap);
}

const char *rw_strerror(int err)
{
	switch (err) {
	case EROFS: return "read-only file system";
	case ENOSPC: return "no space left on device";
	case EDQUOT: return "disk quota exceeded";
	case EACCES: return "permission denied";
	case EPERM: return "operation not permitted";
	case ENOENT: return "no such file or directory";
	case ENOTDIR: return "not a directory";
	case EEXIST: return "file exists";
	case ENAMETOOLONG: return "file name too long";
	case EMFILE: return "too many open files";
	case ENFILE: return "too many open files in system";
	case ENOMEM: return "out of memory";
	case ELOOP: return "too many levels of symbolic links";
	case EINVAL: return "invalid argument";
	case EIO: return "input/output error";
	case EAGAIN: return "resource temporarily unavailable";
	default: return "unexpected error";
	}
}
