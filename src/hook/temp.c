/* SPDX-License-Identifier: MIT */
/*
 * hook/temp.c - the mkstemp family, so that the "write a temporary file,
 * then rename it over the original" pattern (sed -i, editors, package
 * managers) works in read-only folders.
 */
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fs/view.h"
#include "hook/hook.h"

static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* Fill the six X of @tmpl (before @suffixlen bytes) and create it with
 * rw_openat() until a name is free. Returns a descriptor or -errno. */
static int make_temp(char *tmpl, int suffixlen, int flags)
{
	size_t len = strlen(tmpl);
	char *x;
	int attempt, i;

	if (suffixlen < 0 || len < (size_t)suffixlen + 6 ||
	    memcmp(tmpl + len - suffixlen - 6, "XXXXXX", 6))
		return -EINVAL;
	x = tmpl + len - suffixlen - 6;
	for (attempt = 0; attempt < 1000; attempt++) {
		unsigned char rnd[6];
		int fd;

		if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			for (i = 0; i < 6; i++)
				rnd[i] = (unsigned char)((ts.tv_nsec >> (i * 5)) ^ (attempt * 31 + i));
		}
		for (i = 0; i < 6; i++)
			x[i] = letters[rnd[i] % (sizeof(letters) - 1)];
		fd = rw_openat(AT_FDCWD, tmpl, (flags & ~O_ACCMODE) | O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd != -EEXIST)
			return fd;
	}
	return -EEXIST;
}

static int temp_common(char *tmpl, int suffixlen, int flags,
		       int (*real)(char *, int, int), int saved)
{
	int fd;

	if (!rw_ready() || !tmpl || !rw_view_live()) {
		if (!real)
			return (int)rw_enosys();
		fd = real(tmpl, suffixlen, flags);
		if (fd >= 0 || !rw_ready() || !tmpl || !rw_refused(errno))
			return fd;
		/* libc left its last try in the template: put the X back. */
		if (strlen(tmpl) >= (size_t)suffixlen + 6)
			memcpy(tmpl + strlen(tmpl) - suffixlen - 6, "XXXXXX", 6);
	}
	return rw_ret(make_temp(tmpl, suffixlen, flags), saved);
}

RW_EXPORT int mkstemp(char *tmpl)
{
	rw_ready();
	return temp_common(tmpl, 0, 0, real_mkostemps, errno);
}

RW_EXPORT int mkstemp64(char *tmpl)
{
	rw_ready();
	return temp_common(tmpl, 0, O_LARGEFILE, real_mkostemps64, errno);
}

RW_EXPORT int mkostemp(char *tmpl, int flags)
{
	rw_ready();
	return temp_common(tmpl, 0, flags, real_mkostemps, errno);
}

RW_EXPORT int mkostemp64(char *tmpl, int flags)
{
	rw_ready();
	return temp_common(tmpl, 0, flags | O_LARGEFILE, real_mkostemps64, errno);
}

RW_EXPORT int mkstemps(char *tmpl, int suffixlen)
{
	rw_ready();
	return temp_common(tmpl, suffixlen, 0, real_mkostemps, errno);
}

RW_EXPORT int mkstemps64(char *tmpl, int suffixlen)
{
	rw_ready();
	return temp_common(tmpl, suffixlen, O_LARGEFILE, real_mkostemps64, errno);
}

RW_EXPORT int mkostemps(char *tmpl, int suffixlen, int flags)
{
	rw_ready();
	return temp_common(tmpl, suffixlen, flags, real_mkostemps, errno);
}

RW_EXPORT int mkostemps64(char *tmpl, int suffixlen, int flags)
{
	rw_ready();
	return temp_common(tmpl, suffixlen, flags | O_LARGEFILE, real_mkostemps64, errno);
}
