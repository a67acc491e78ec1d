/* SPDX-License-Identifier: MIT */
/*
 * hook/temp.c - the mkstemp family, so that the "write a temporary file,
 * then rename it over the original" pattern (sed -i, editors, package
 * managers) works in read-only folders; mkdtemp, mktemp and tempnam, whose
 * glibc versions look names up and make them with internal calls no hook
 * sees; tmpfile, which falls back on an unnamed file in the overlay's /tmp
 * when the real /tmp is read-only.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fs/view.h"
#include "hook/hook.h"

/* What make_temp() makes under the name it picks. */
enum temp_kind {
	TEMP_FILE, /* a file, opened: returns its descriptor */
	TEMP_DIR,  /* a folder, mode 0700 */
	TEMP_NAME, /* nothing: a name nothing in the merged view has */
};

static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* Make @kind under the name free in the merged view that filling the six X
 * of @tmpl (before @suffixlen bytes) gives. Returns a descriptor (TEMP_FILE),
 * 0, or -errno. */
static int try_name(const char *tmpl, int flags, enum temp_kind kind)
{
	struct stat st;
	int r;

	switch (kind) {
	case TEMP_FILE:
		return rw_openat(AT_FDCWD, tmpl, (flags & ~O_ACCMODE) | O_RDWR | O_CREAT | O_EXCL,
				 0600);
	case TEMP_DIR:
		return rw_mkdirat(AT_FDCWD, tmpl, 0700);
	case TEMP_NAME:
		r = rw_fstatat(AT_FDCWD, tmpl, &st, AT_SYMLINK_NOFOLLOW);
		return r == -ENOENT ? 0 : r == 0 ? -EEXIST : r;
	}
	return -EINVAL;
}

static int make_temp(char *tmpl, int suffixlen, int flags, enum temp_kind kind)
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
		fd = try_name(tmpl, flags, kind);
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
	return rw_ret(make_temp(tmpl, suffixlen, flags, TEMP_FILE), saved);
}

RW_EXPORT int mkstemp(char *tmpl)
{
	rw_ready();
	return temp_common(tmpl, 0, 0, real_mkostemps, errno);
}

#ifdef __GLIBC__ /* musl: the *64 names are macros for the plain ones */
RW_EXPORT int mkstemp64(char *tmpl)
{
	rw_ready();
	return temp_common(tmpl, 0, O_LARGEFILE, real_mkostemps64, errno);
}
#endif

RW_EXPORT int mkostemp(char *tmpl, int flags)
{
	rw_ready();
	return temp_common(tmpl, 0, flags, real_mkostemps, errno);
}

#ifdef __GLIBC__
RW_EXPORT int mkostemp64(char *tmpl, int flags)
{
	rw_ready();
	return temp_common(tmpl, 0, flags | O_LARGEFILE, real_mkostemps64, errno);
}
#endif

RW_EXPORT int mkstemps(char *tmpl, int suffixlen)
{
	rw_ready();
	return temp_common(tmpl, suffixlen, 0, real_mkostemps, errno);
}

#ifdef __GLIBC__
RW_EXPORT int mkstemps64(char *tmpl, int suffixlen)
{
	rw_ready();
	return temp_common(tmpl, suffixlen, O_LARGEFILE, real_mkostemps64, errno);
}
#endif

RW_EXPORT int mkostemps(char *tmpl, int suffixlen, int flags)
{
	rw_ready();
	return temp_common(tmpl, suffixlen, flags, real_mkostemps, errno);
}

#ifdef __GLIBC__
RW_EXPORT int mkostemps64(char *tmpl, int suffixlen, int flags)
{
	rw_ready();
	return temp_common(tmpl, suffixlen, flags | O_LARGEFILE, real_mkostemps64, errno);
}
#endif

/* ---- folders and names ------------------------------------------------------- */

/* glibc leaves its last try in a template it could not use: put the X back. */
static void reset_template(char *tmpl)
{
	size_t len = strlen(tmpl);

	if (len >= 6)
		memcpy(tmpl + len - 6, "XXXXXX", 6);
}

RW_EXPORT char *mkdtemp(char *tmpl)
{
	int saved = errno, r;
	char *p;

	if (!rw_ready() || !rw_view_live()) {
		if (!real_mkdtemp)
			return rw_enosys_ptr();
		p = real_mkdtemp(tmpl);
		if (p || !rw_ready() || !rw_refused(errno))
			return p;
		reset_template(tmpl);
	}
	r = make_temp(tmpl, 0, 0, TEMP_DIR);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	errno = saved;
	return tmpl;
}

/* mktemp only names: the name must be free in the merged view, which
 * glibc's internal lstat cannot see. */
RW_EXPORT char *mktemp(char *tmpl)
{
	int saved = errno, r;

	if (!rw_ready() || !rw_view_live())
		return real_mktemp ? real_mktemp(tmpl) : rw_enosys_ptr();
	r = make_temp(tmpl, 0, 0, TEMP_NAME);
	if (r < 0) {
		tmpl[0] = '\0';
		errno = -r;
	} else {
		errno = saved;
	}
	return tmpl;
}

static int dir_exists(const char *dir)
{
	struct stat st;

	return rw_fstatat(AT_FDCWD, dir, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* glibc's __path_search over the merged view: "DIR/PFXXXXXXX" into @out
 * (@outsz bytes) with DIR from $TMPDIR (when @try_tmpdir), @dir, P_tmpdir or
 * /tmp, the first that is a folder; PFX is five bytes of @pfx at most,
 * "file" when it is empty. Returns 0 or -errno. */
static int path_search(char *out, size_t outsz, const char *dir, const char *pfx, int try_tmpdir)
{
	size_t dlen, plen;

	if (!pfx || !pfx[0])
		pfx = "file";
	plen = strlen(pfx);
	if (plen > 5)
		plen = 5;
	if (try_tmpdir) {
		const char *env = secure_getenv("TMPDIR");

		if (env && dir_exists(env))
			dir = env;
		else if (!dir || !dir_exists(dir))
			dir = NULL;
	}
	if (!dir) {
		if (dir_exists(P_tmpdir))
			dir = P_tmpdir;
		else if (strcmp(P_tmpdir, "/tmp") && dir_exists("/tmp"))
			dir = "/tmp";
		else
			return -ENOENT;
	}
	dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (outsz < dlen + 1 + plen + 6 + 1)
		return -EINVAL;
	memcpy(out, dir, dlen);
	out[dlen] = '/';
	memcpy(out + dlen + 1, pfx, plen);
	memcpy(out + dlen + 1 + plen, "XXXXXX", 7);
	return 0;
}

RW_EXPORT char *tempnam(const char *dir, const char *pfx)
{
	char buf[PATH_MAX];
	int saved = errno, r;
	char *p;

	if (!rw_ready() || !rw_view_live())
		return real_tempnam ? real_tempnam(dir, pfx) : rw_enosys_ptr();
	r = path_search(buf, sizeof(buf), dir, pfx, 1);
	if (r == 0)
		r = make_temp(buf, 0, 0, TEMP_NAME);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	/* The caller frees the name: tempnam's contract is malloc'ed memory. */
	p = strdup(buf);
	if (p)
		errno = saved;
	return p;
}

/* ---- tmpfile ----------------------------------------------------------------- */

static FILE *tmpfile_common(FILE *(*real)(void), int large)
{
	char buf[PATH_MAX];
	int saved = errno, fd, e;
	FILE *f;

	if (!real)
		return rw_enosys_ptr();
	f = real();
	if (f || !rw_ready() || !rw_refused(errno))
		return f;
	/* glibc tries P_tmpdir only (never $TMPDIR): the same folder, in the
	 * overlay, where an unnamed file needs no name at all. */
	fd = rw_openat(AT_FDCWD, P_tmpdir, O_RDWR | O_TMPFILE | O_EXCL | (large ? O_LARGEFILE : 0),
		       0600);
	if (fd == -EOPNOTSUPP || fd == -EISDIR) {
		/* No O_TMPFILE where the storage lies: a name, removed at once. */
		fd = path_search(buf, sizeof(buf), NULL, "tmpf", 0);
		if (fd == 0)
			fd = make_temp(buf, 0, large ? O_LARGEFILE : 0, TEMP_FILE);
		if (fd >= 0)
			rw_unlinkat(AT_FDCWD, buf, 0);
	}
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "w+b");
	if (!f) {
		e = errno;
		real_close(fd);
		errno = e;
		return NULL;
	}
	errno = saved;
	return f;
}

RW_EXPORT FILE *tmpfile(void)
{
	rw_ready();
	return tmpfile_common(real_tmpfile, 0);
}

#ifdef __GLIBC__
RW_EXPORT FILE *tmpfile64(void)
{
	rw_ready();
	return tmpfile_common(real_tmpfile64, 1);
}
#endif
