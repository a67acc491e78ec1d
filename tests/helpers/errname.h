/* SPDX-License-Identifier: MIT */
/*
 * errname.h - the errno names the test helpers print (rw_probe, rw_walk),
 * so that a test compares "EROFS" rather than a number. One copy, included
 * by each helper.
 */
#ifndef RW_TEST_ERRNAME_H
#define RW_TEST_ERRNAME_H

#include <errno.h>
#include <stdio.h>

static const struct {
	int num;
	const char *name;
} errnames[] = {
	{ EPERM, "EPERM" },	   { ENOENT, "ENOENT" },	 { ESRCH, "ESRCH" },
	{ EINTR, "EINTR" },	   { EIO, "EIO" },		 { ENXIO, "ENXIO" },
	{ E2BIG, "E2BIG" },	   { ENOEXEC, "ENOEXEC" },	 { EBADF, "EBADF" },
	{ ECHILD, "ECHILD" },	   { EAGAIN, "EAGAIN" },	 { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" },	   { EFAULT, "EFAULT" },	 { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" },	   { EXDEV, "EXDEV" },		 { ENODEV, "ENODEV" },
	{ ENOTDIR, "ENOTDIR" },	   { EISDIR, "EISDIR" },	 { EINVAL, "EINVAL" },
	{ ENFILE, "ENFILE" },	   { EMFILE, "EMFILE" },	 { ETXTBSY, "ETXTBSY" },
	{ EFBIG, "EFBIG" },	   { ENOSPC, "ENOSPC" },	 { ESPIPE, "ESPIPE" },
	{ EROFS, "EROFS" },	   { EMLINK, "EMLINK" },	 { EPIPE, "EPIPE" },
	{ ERANGE, "ERANGE" },	   { ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOSYS, "ENOSYS" },	   { ENOTEMPTY, "ENOTEMPTY" },	 { ELOOP, "ELOOP" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { EDQUOT, "EDQUOT" },	 { ESTALE, "ESTALE" },
	{ ENODATA, "ENODATA" },	   { EADDRINUSE, "EADDRINUSE" }, { ECONNREFUSED, "ECONNREFUSED" },
	{ ENOTSOCK, "ENOTSOCK" },
};

static const char *errname(int e)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].num == e)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

#endif
