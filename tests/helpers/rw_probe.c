/* SPDX-License-Identifier: MIT */
/*
 * rw_probe - perform one named libc call from argv and report the outcome,
 * so the shell tests can check exact errno values without Python.
 *
 *   rw_probe OP ARGS...
 *
 * Prints "ok" (followed by a result where one is useful) and exits 0, or
 * prints the errno name (ENOENT, EROFS, ...) and exits 1. A usage error
 * exits 2. Scalar results follow "ok" on the same line ("ok 12"); content
 * and listings follow on the next lines, verbatim.
 *
 * The optional prefix "cd DIR" runs chdir(DIR) first, so any OP can be given
 * a relative path: rw_probe cd /ro/sub open-w x hello
 *
 * Plain C and libc only: this program is what the shim is loaded into.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by config.h when the build -includes it */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

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

/** Print the errno name of the failed call and return exit status 1. */
static int fail(void)
{
	int e = errno;

	printf("%s\n", errname(e));
	return 1;
}

/** Write all of @text to @fd; 0 or -1 with errno set. */
static int write_all(int fd, const char *text)
{
	size_t len = strlen(text);

	while (len > 0) {
		ssize_t n = write(fd, text, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/** Copy everything readable from @fd to stdout; 0 or -1 with errno set. */
static int dump_fd(int fd)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		fwrite(buf, 1, (size_t)n, stdout);
	}
}

/** Open @path with @flags (relative to @dirfd), write @text, close. */
static int do_write(int dirfd, const char *path, int flags, const char *text)
{
	int fd = openat(dirfd, path, flags, 0666);

	if (fd < 0)
		return fail();
	if (text && write_all(fd, text) < 0)
		return fail();
	if (close(fd) < 0)
		return fail();
	printf("ok\n");
	return 0;
}

/** Open @path read-only (relative to @dirfd) and print "ok" and its content. */
static int do_read(int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY);

	if (fd < 0)
		return fail();
	printf("ok\n");
	if (dump_fd(fd) < 0) {
		/* "ok" is already out; report the read error on its own line. */
		int e = errno;
		printf("\n%s\n", errname(e));
		return 1;
	}
	close(fd);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/** Print "ok" and the names in @d (without . and ..), sorted, one a line. */
static int list_dir(DIR *d)
{
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *e;

	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				return fail();
		}
		names[n] = strdup(e->d_name);
		if (!names[n++])
			return fail();
		errno = 0;
	}
	if (errno != 0)
		return fail();
	if (closedir(d) < 0)
		return fail();
	qsort(names, n, sizeof(*names), cmp_names);
	printf("ok\n");
	for (i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

/** Open @dir as a directory fd for the *at() ops. */
static int open_dirfd(const char *dir)
{
	return open(dir, O_RDONLY | O_DIRECTORY);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: rw_probe [cd DIR] OP ARGS...\n"
		"ops: open-w PATH [TEXT] | open-a PATH TEXT | open-r PATH | open-rw PATH TEXT\n"
		"     open-excl PATH | creat PATH [TEXT] | openat DIR REL | openat-w DIR REL [TEXT]\n"
		"     stat PATH | lstat PATH | fstatat DIR REL | mode PATH\n"
		"     access-w PATH | access-r PATH | faccessat-w DIR REL\n"
		"     mkdir PATH | mkdirat DIR REL | rmdir PATH | unlink PATH | unlinkat DIR REL\n"
		"     rename A B | renameat DIR A B | readdir DIR | fdopendir DIR\n"
		"     mkstemp TEMPLATE [TEXT] | fopen-w PATH [TEXT] | fopen-a PATH TEXT\n"
		"     fopen-r PATH | chdir-then-open DIR REL | getcwd\n");
	return 2;
}

/** Run one OP; @argc and @argv start at the OP name. */
static int run(int argc, char **argv)
{
	const char *op = argv[0];
	const char *a1 = argc > 1 ? argv[1] : NULL;
	const char *a2 = argc > 2 ? argv[2] : NULL;
	const char *a3 = argc > 3 ? argv[3] : NULL;
	struct stat st;
	int fd;

#define NEED(n)                        \
	do {                           \
		if (argc < (n) + 1)    \
			return usage(); \
	} while (0)

	if (strcmp(op, "open-w") == 0) {
		NEED(1);
		return do_write(AT_FDCWD, a1, O_WRONLY | O_CREAT | O_TRUNC, a2);
	}
	if (strcmp(op, "open-a") == 0) {
		NEED(2);
		return do_write(AT_FDCWD, a1, O_WRONLY | O_CREAT | O_APPEND, a2);
	}
	if (strcmp(op, "open-rw") == 0) {
		/* Overwrite the start of an existing file in place: a copy-up. */
		NEED(2);
		return do_write(AT_FDCWD, a1, O_RDWR, a2);
	}
	if (strcmp(op, "open-excl") == 0) {
		NEED(1);
		return do_write(AT_FDCWD, a1, O_WRONLY | O_CREAT | O_EXCL, a2);
	}
	if (strcmp(op, "open-r") == 0) {
		NEED(1);
		return do_read(AT_FDCWD, a1);
	}
	if (strcmp(op, "creat") == 0) {
		NEED(1);
		fd = creat(a1, 0666);
		if (fd < 0)
			return fail();
		if (a2 && write_all(fd, a2) < 0)
			return fail();
		close(fd);
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "openat") == 0 || strcmp(op, "openat-w") == 0) {
		NEED(2);
		fd = open_dirfd(a1);
		if (fd < 0)
			return fail();
		if (strcmp(op, "openat") == 0)
			return do_read(fd, a2);
		return do_write(fd, a2, O_WRONLY | O_CREAT | O_TRUNC, a3);
	}
	if (strcmp(op, "stat") == 0 || strcmp(op, "lstat") == 0) {
		NEED(1);
		if ((op[0] == 'l' ? lstat(a1, &st) : stat(a1, &st)) < 0)
			return fail();
		printf("ok %lld\n", (long long)st.st_size);
		return 0;
	}
	if (strcmp(op, "mode") == 0) {
		NEED(1);
		if (lstat(a1, &st) < 0)
			return fail();
		printf("ok %04o\n", (unsigned)(st.st_mode & 07777));
		return 0;
	}
	if (strcmp(op, "fstatat") == 0) {
		NEED(2);
		fd = open_dirfd(a1);
		if (fd < 0 || fstatat(fd, a2, &st, 0) < 0)
			return fail();
		printf("ok %lld\n", (long long)st.st_size);
		return 0;
	}
	if (strcmp(op, "access-w") == 0 || strcmp(op, "access-r") == 0) {
		NEED(1);
		if (access(a1, op[7] == 'w' ? W_OK : R_OK) < 0)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "faccessat-w") == 0) {
		NEED(2);
		fd = open_dirfd(a1);
		if (fd < 0 || faccessat(fd, a2, W_OK, 0) < 0)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "mkdir") == 0) {
		NEED(1);
		if (mkdir(a1, 0777) < 0)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "mkdirat") == 0) {
		NEED(2);
		fd = open_dirfd(a1);
		if (fd < 0 || mkdirat(fd, a2, 0777) < 0)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "rmdir") == 0) {
		NEED(1);
		if (rmdir(a1) < 0)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "unlink") == 0) {
		NEED(1);
		if (unlink(a1) < 0)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "unlinkat") == 0) {
		NEED(2);
		fd = open_dirfd(a1);
		if (fd < 0 || unlinkat(fd, a2, 0) < 0)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "rename") == 0) {
		NEED(2);
		if (rename(a1, a2) < 0)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "renameat") == 0) {
		NEED(3);
		fd = open_dirfd(a1);
		if (fd < 0 || renameat(fd, a2, fd, a3) < 0)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "readdir") == 0) {
		DIR *d;

		NEED(1);
		d = opendir(a1);
		if (!d)
			return fail();
		return list_dir(d);
	}
	if (strcmp(op, "fdopendir") == 0) {
		DIR *d;

		NEED(1);
		fd = open_dirfd(a1);
		if (fd < 0)
			return fail();
		d = fdopendir(fd);
		if (!d)
			return fail();
		return list_dir(d);
	}
	if (strcmp(op, "mkstemp") == 0) {
		char tmpl[PATH_MAX];

		NEED(1);
		if (strlen(a1) >= sizeof(tmpl)) {
			errno = ENAMETOOLONG;
			return fail();
		}
		strcpy(tmpl, a1);
		fd = mkstemp(tmpl);
		if (fd < 0)
			return fail();
		if (a2 && write_all(fd, a2) < 0)
			return fail();
		if (close(fd) < 0)
			return fail();
		printf("ok %s\n", tmpl);
		return 0;
	}
	if (strcmp(op, "fopen-w") == 0 || strcmp(op, "fopen-a") == 0) {
		FILE *f;

		NEED(1);
		f = fopen(a1, op[6] == 'w' ? "w" : "a");
		if (!f)
			return fail();
		if (a2 && fputs(a2, f) == EOF)
			return fail();
		if (fclose(f) == EOF)
			return fail();
		printf("ok\n");
		return 0;
	}
	if (strcmp(op, "fopen-r") == 0) {
		char buf[4096];
		size_t n;
		FILE *f;

		NEED(1);
		f = fopen(a1, "r");
		if (!f)
			return fail();
		printf("ok\n");
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, stdout);
		fclose(f);
		return 0;
	}
	if (strcmp(op, "chdir-then-open") == 0) {
		NEED(2);
		if (chdir(a1) < 0)
			return fail();
		return do_read(AT_FDCWD, a2);
	}
	if (strcmp(op, "getcwd") == 0) {
		char buf[PATH_MAX];

		if (!getcwd(buf, sizeof(buf)))
			return fail();
		printf("ok %s\n", buf);
		return 0;
	}
#undef NEED
	return usage();
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "cd") == 0) {
		if (chdir(argv[2]) < 0)
			return fail();
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return usage();
	return run(argc - 1, argv + 1);
}
