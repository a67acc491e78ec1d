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
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "errname.h"

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
		"     fopen-r PATH | chdir-then-open DIR REL | getcwd\n"
		"exec: execl|execle|execlp PROG ARG (runs PROG with argv PROG ARG)\n"
		"links: symlink T PATH | link A B | linkat-follow A B | linkat-fd FILE NEW\n"
		"     linkat-proc FILE NEW\n"
		"     tmpfile-link DIR NEW TEXT | readlink PATH | readlink-chk PATH\n"
		"     readlink-short PATH | readlinkat DIR REL | readlink-fd PATH\n"
		"     readlink-cwd DIR | meta PATH | times PATH\n"
		"metadata: chmod|lchmod|fchmod PATH OCTAL | chown|lchown|fchown PATH UID GID\n"
		"     fchownat-empty PATH UID GID | utime|utimes|lutimes|futimens PATH SEC\n"
		"     utimensat-empty|utimensat-nofollow PATH SEC | futimesat DIR REL SEC\n"
		"     truncate|ftruncate-r|ftruncate-w PATH LEN\n"
		"     setxattr|lsetxattr|fsetxattr PATH NAME VALUE [create|replace]\n"
		"     removexattr|lremovexattr|fremovexattr PATH NAME\n"
		"     getxattr|lgetxattr PATH NAME | listxattr|llistxattr PATH\n"
		"special: mknod PATH fifo|sock|reg|dir|chr|bad | mkfifo PATH | mkfifoat DIR REL\n"
		"     xmknod PATH | bind PATH | connect PATH | unix-echo PATH\n"
		"temp: mkdtemp TEMPLATE | mktemp TEMPLATE | tempnam DIR PFX | tmpfile TEXT\n"
		"misc: statvfs|fstatvfs|statfs PATH | pathconf PATH | euidaccess PATH r|w|x\n"
		"     inotify DIR NAME | handle PATH\n");
	return 2;
}

/* ---- links, metadata, special files, temp names, filesystem figures ----------- */

/* glibc's FORTIFY and pre-2.33 entry points, called by name. */
extern ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen);
extern int __xmknod(int ver, const char *path, mode_t mode, dev_t *dev);

/** Print "ok" and one line about @path's entry (not followed): type, mode,
 *  owner, size and link count (both "-" for folders, whose figures differ
 *  between filesystems). */
static int print_meta(const char *path)
{
	struct stat st;
	char type;

	if (lstat(path, &st) < 0)
		return fail();
	type = S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l'
	     : S_ISFIFO(st.st_mode) ? 'p' : S_ISSOCK(st.st_mode) ? 's' : S_ISCHR(st.st_mode) ? 'c' : 'b';
	if (S_ISDIR(st.st_mode))
		printf("ok %c %04o %u:%u - -\n", type, (unsigned)(st.st_mode & 07777),
		       (unsigned)st.st_uid, (unsigned)st.st_gid);
	else
		printf("ok %c %04o %u:%u %lld %lu\n", type, (unsigned)(st.st_mode & 07777),
		       (unsigned)st.st_uid, (unsigned)st.st_gid, (long long)st.st_size,
		       (unsigned long)st.st_nlink);
	return 0;
}

/** Report the result @r of a call that returns 0 or -1 with errno. */
static int done(int r)
{
	if (r < 0)
		return fail();
	printf("ok\n");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/** Print "ok" and the names of xattr list @list (@n bytes), sorted, comma-separated. */
static int print_xattr_list(char *list, ssize_t n)
{
	const char *names[256];
	size_t k = 0, i;
	ssize_t off;

	for (off = 0; off < n && k < 256; off += (ssize_t)strlen(list + off) + 1)
		if (!strncmp(list + off, "user.", 5))
			names[k++] = list + off;
	qsort(names, k, sizeof(names[0]), cmp_str);
	printf("ok ");
	for (i = 0; i < k; i++)
		printf("%s%s", i ? "," : "", names[i]);
	printf("\n");
	return 0;
}

/** Run one of the ops of the link, metadata, special-file, temp-name and
 *  filesystem-figure families. Returns -1 for an op it does not know. */
static int run_family_ops(int argc, char **argv)
{
	const char *op = argv[0];
	const char *a1 = argc > 1 ? argv[1] : NULL;
	const char *a2 = argc > 2 ? argv[2] : NULL;
	const char *a3 = argc > 3 ? argv[3] : NULL;
	char buf[PATH_MAX], proc[64];
	struct timespec ts[2];
	struct timeval tv[2];
	ssize_t n;
	int fd;

#define NEED(n)                        \
	do {                           \
		if (argc < (n) + 1)    \
			return usage(); \
	} while (0)

	/* links */
	if (strcmp(op, "symlink") == 0) {
		NEED(2);
		return done(symlink(a1, a2));
	}
	if (strcmp(op, "link") == 0) {
		NEED(2);
		return done(link(a1, a2));
	}
	if (strcmp(op, "linkat-follow") == 0) {
		NEED(2);
		return done(linkat(AT_FDCWD, a1, AT_FDCWD, a2, AT_SYMLINK_FOLLOW));
	}
	if (strcmp(op, "linkat-fd") == 0) {
		/* A hard link to what a descriptor (O_PATH) refers to. */
		NEED(2);
		fd = open(a1, O_PATH);
		if (fd < 0)
			return fail();
		return done(linkat(fd, "", AT_FDCWD, a2, AT_EMPTY_PATH));
	}
	if (strcmp(op, "linkat-proc") == 0) {
		/* A hard link to an open file through its /proc/self/fd name. */
		NEED(2);
		fd = open(a1, O_RDONLY);
		if (fd < 0)
			return fail();
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		return done(linkat(AT_FDCWD, proc, AT_FDCWD, a2, AT_SYMLINK_FOLLOW));
	}
	if (strcmp(op, "tmpfile-link") == 0) {
		/* An unnamed file in DIR, written, then given the name NEW. */
		NEED(3);
		fd = open(a1, O_TMPFILE | O_RDWR, 0644);
		if (fd < 0)
			return fail();
		if (write_all(fd, a3) < 0)
			return fail();
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		return done(linkat(AT_FDCWD, proc, AT_FDCWD, a2, AT_SYMLINK_FOLLOW));
	}
	if (strcmp(op, "readlink") == 0 || strcmp(op, "readlink-chk") == 0) {
		NEED(1);
		n = op[8] ? __readlink_chk(a1, buf, sizeof(buf) - 1, sizeof(buf))
			  : readlink(a1, buf, sizeof(buf) - 1);
		if (n < 0)
			return fail();
		buf[n] = '\0';
		printf("ok %s\n", buf);
		return 0;
	}
	if (strcmp(op, "readlink-short") == 0) {
		/* A buffer of 4 bytes: the target cut, as the kernel cuts it. */
		NEED(1);
		n = readlink(a1, buf, 4);
		if (n < 0)
			return fail();
		printf("ok %zd %.*s\n", n, (int)n, buf);
		return 0;
	}
	if (strcmp(op, "readlinkat") == 0) {
		NEED(2);
		fd = open_dirfd(a1);
		if (fd < 0 || (n = readlinkat(fd, a2, buf, sizeof(buf) - 1)) < 0)
			return fail();
		buf[n] = '\0';
		printf("ok %s\n", buf);
		return 0;
	}
	if (strcmp(op, "readlink-fd") == 0 || strcmp(op, "readlink-cwd") == 0) {
		/* What /proc/self/fd/N of an open PATH, or /proc/self/cwd after
		 * chdir(PATH), says. */
		NEED(1);
		if (op[9] == 'f') {
			fd = open(a1, O_RDONLY);
			if (fd < 0)
				return fail();
			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		} else {
			if (chdir(a1) < 0)
				return fail();
			strcpy(proc, "/proc/self/cwd");
		}
		n = readlink(proc, buf, sizeof(buf) - 1);
		if (n < 0)
			return fail();
		buf[n] = '\0';
		printf("ok %s\n", buf);
		return 0;
	}
	if (strcmp(op, "meta") == 0) {
		NEED(1);
		return print_meta(a1);
	}
	if (strcmp(op, "times") == 0) {
		/* Access and modification times of the entry itself, in seconds. */
		struct stat st;

		NEED(1);
		if (lstat(a1, &st) < 0)
			return fail();
		printf("ok %lld %lld\n", (long long)st.st_atime, (long long)st.st_mtime);
		return 0;
	}
	/* metadata */
	if (strcmp(op, "chmod") == 0 || strcmp(op, "lchmod") == 0 || strcmp(op, "fchmod") == 0) {
		mode_t mode;

		NEED(2);
		mode = (mode_t)strtoul(a2, NULL, 8);
		if (op[0] == 'c')
			return done(chmod(a1, mode));
		if (op[0] == 'l')
			return done(lchmod(a1, mode));
		fd = open(a1, O_RDONLY);
		return fd < 0 ? fail() : done(fchmod(fd, mode));
	}
	if (strcmp(op, "chown") == 0 || strcmp(op, "lchown") == 0 || strcmp(op, "fchown") == 0 ||
	    strcmp(op, "fchownat-empty") == 0) {
		uid_t uid;
		gid_t gid;

		NEED(3);
		uid = (uid_t)strtol(a2, NULL, 10);
		gid = (gid_t)strtol(a3, NULL, 10);
		if (op[0] == 'c')
			return done(chown(a1, uid, gid));
		if (op[0] == 'l')
			return done(lchown(a1, uid, gid));
		fd = open(a1, op[6] ? O_PATH : O_RDONLY);
		if (fd < 0)
			return fail();
		return done(op[6] ? fchownat(fd, "", uid, gid, AT_EMPTY_PATH) : fchown(fd, uid, gid));
	}
	if (strcmp(op, "utime") == 0 || strcmp(op, "utimes") == 0 || strcmp(op, "lutimes") == 0 ||
	    strcmp(op, "futimens") == 0 || strcmp(op, "utimensat-empty") == 0 ||
	    strcmp(op, "futimesat") == 0 || strcmp(op, "utimensat-nofollow") == 0) {
		long sec;

		NEED(2);
		sec = strtol(argc > 3 ? a3 : a2, NULL, 10);
		tv[0].tv_sec = tv[1].tv_sec = sec;
		tv[0].tv_usec = tv[1].tv_usec = 0;
		ts[0].tv_sec = ts[1].tv_sec = sec;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (strcmp(op, "utime") == 0) {
			struct utimbuf ub = { sec, sec };
			return done(utime(a1, &ub));
		}
		if (strcmp(op, "utimes") == 0)
			return done(utimes(a1, tv));
		if (strcmp(op, "lutimes") == 0)
			return done(lutimes(a1, tv));
		if (strcmp(op, "utimensat-nofollow") == 0)
			return done(utimensat(AT_FDCWD, a1, ts, AT_SYMLINK_NOFOLLOW));
		if (strcmp(op, "futimesat") == 0) {
			NEED(3);
			fd = open_dirfd(a1);
			return fd < 0 ? fail() : done(futimesat(fd, a2, tv));
		}
		fd = open(a1, op[0] == 'f' ? O_RDONLY : O_PATH);
		if (fd < 0)
			return fail();
		return done(op[0] == 'f' ? futimens(fd, ts) : utimensat(fd, "", ts, AT_EMPTY_PATH));
	}
	if (strcmp(op, "truncate") == 0 || strcmp(op, "ftruncate-r") == 0 ||
	    strcmp(op, "ftruncate-w") == 0) {
		off_t len;

		NEED(2);
		len = (off_t)strtoll(a2, NULL, 10);
		if (op[0] == 't')
			return done(truncate(a1, len));
		fd = open(a1, op[10] == 'r' ? O_RDONLY : O_WRONLY);
		return fd < 0 ? fail() : done(ftruncate(fd, len));
	}
	if (strcmp(op, "setxattr") == 0 || strcmp(op, "lsetxattr") == 0 ||
	    strcmp(op, "fsetxattr") == 0) {
		const char *how = argc > 4 ? argv[4] : "";
		int flags = !strcmp(how, "create") ? XATTR_CREATE : !strcmp(how, "replace") ? XATTR_REPLACE : 0;

		NEED(3);
		if (op[0] == 's')
			return done(setxattr(a1, a2, a3, strlen(a3), flags));
		if (op[0] == 'l')
			return done(lsetxattr(a1, a2, a3, strlen(a3), flags));
		fd = open(a1, O_RDONLY);
		return fd < 0 ? fail() : done(fsetxattr(fd, a2, a3, strlen(a3), flags));
	}
	if (strcmp(op, "removexattr") == 0 || strcmp(op, "lremovexattr") == 0 ||
	    strcmp(op, "fremovexattr") == 0) {
		NEED(2);
		if (op[0] == 'r')
			return done(removexattr(a1, a2));
		if (op[0] == 'l')
			return done(lremovexattr(a1, a2));
		fd = open(a1, O_RDONLY);
		return fd < 0 ? fail() : done(fremovexattr(fd, a2));
	}
	if (strcmp(op, "getxattr") == 0 || strcmp(op, "lgetxattr") == 0) {
		NEED(2);
		n = op[0] == 'g' ? getxattr(a1, a2, buf, sizeof(buf) - 1)
				 : lgetxattr(a1, a2, buf, sizeof(buf) - 1);
		if (n < 0)
			return fail();
		buf[n] = '\0';
		printf("ok %s\n", buf);
		return 0;
	}
	if (strcmp(op, "listxattr") == 0 || strcmp(op, "llistxattr") == 0) {
		NEED(1);
		n = op[0] == 'l' && op[1] == 'i' ? listxattr(a1, buf, sizeof(buf))
						 : llistxattr(a1, buf, sizeof(buf));
		if (n < 0)
			return fail();
		return print_xattr_list(buf, n);
	}
	/* special files */
	if (strcmp(op, "mknod") == 0) {
		mode_t type;

		NEED(2);
		type = !strcmp(a2, "fifo") ? S_IFIFO : !strcmp(a2, "sock") ? S_IFSOCK
		     : !strcmp(a2, "reg") ? S_IFREG : !strcmp(a2, "dir") ? S_IFDIR
		     : !strcmp(a2, "chr") ? S_IFCHR : 0170000;
		return done(mknod(a1, type | 0644, type == S_IFCHR ? makedev(1, 3) : 0));
	}
	if (strcmp(op, "mkfifo") == 0) {
		NEED(1);
		return done(mkfifo(a1, 0640));
	}
	if (strcmp(op, "mkfifoat") == 0) {
		NEED(2);
		fd = open_dirfd(a1);
		return fd < 0 ? fail() : done(mkfifoat(fd, a2, 0640));
	}
	if (strcmp(op, "xmknod") == 0) {
		dev_t dev = 0;

		NEED(1);
		return done(__xmknod(0, a1, S_IFIFO | 0600, &dev));
	}
	if (strcmp(op, "bind") == 0 || strcmp(op, "connect") == 0 || strcmp(op, "unix-echo") == 0) {
		/* unix-echo: bind PATH, listen, connect to it from a second
		 * socket, pass a word; print both ends' names. */
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		struct sockaddr_un got = { 0 };
		socklen_t len = sizeof(got);
		int s = socket(AF_UNIX, SOCK_STREAM, 0), c, a;
		char word[8] = { 0 };

		NEED(1);
		if (s < 0)
			return fail();
		if (strlen(a1) >= sizeof(un.sun_path)) {
			errno = ENAMETOOLONG;
			return fail();
		}
		strcpy(un.sun_path, a1);
		if (op[0] == 'c')
			return done(connect(s, (struct sockaddr *)&un, sizeof(un)));
		if (bind(s, (struct sockaddr *)&un, sizeof(un)) < 0)
			return fail();
		if (op[0] == 'b') {
			if (getsockname(s, (struct sockaddr *)&got, &len) < 0)
				return fail();
			printf("ok %s\n", got.sun_path);
			return 0;
		}
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (listen(s, 1) < 0 || c < 0 || connect(c, (struct sockaddr *)&un, sizeof(un)) < 0 ||
		    (a = accept(s, NULL, NULL)) < 0 || write_all(c, "ping") < 0 ||
		    read(a, word, 4) != 4)
			return fail();
		if (getpeername(c, (struct sockaddr *)&got, &len) < 0)
			return fail();
		printf("ok %s %s", word, got.sun_path);
		len = sizeof(got);
		if (getsockname(a, (struct sockaddr *)&got, &len) < 0)
			return fail();
		/* The length covers the path and its NUL, as the kernel gives it. */
		printf(" %s %s\n", got.sun_path,
		       len == offsetof(struct sockaddr_un, sun_path) + strlen(got.sun_path) + 1 ? "len-ok"
											: "len-bad");
		return 0;
	}
	/* temporary names */
	if (strcmp(op, "mkdtemp") == 0 || strcmp(op, "mktemp") == 0) {
		struct stat st;

		NEED(1);
		if (strlen(a1) >= sizeof(buf)) {
			errno = ENAMETOOLONG;
			return fail();
		}
		strcpy(buf, a1);
		if (op[1] == 'k' && op[2] == 'd') {
			if (!mkdtemp(buf) || stat(buf, &st) < 0)
				return fail();
			printf("ok %04o %s\n", (unsigned)(st.st_mode & 07777),
			       strncmp(buf, a1, strlen(a1) - 6) ? "elsewhere" : "in-place");
			return 0;
		}
		mktemp(buf);
		if (!buf[0])
			return fail();
		printf("ok %s %s\n", lstat(buf, &st) < 0 && errno == ENOENT ? "free" : "taken",
		       strncmp(buf, a1, strlen(a1) - 6) ? "elsewhere" : "in-place");
		return 0;
	}
	if (strcmp(op, "tempnam") == 0) {
		char *name;
		const char *slash;

		NEED(1);
		name = tempnam(a1, a2);
		if (!name)
			return fail();
		slash = strrchr(name, '/');
		printf("ok %.*s %.*s\n", (int)(slash - name), name, (int)strlen(a2 ? a2 : "file") > 5 ? 5 : (int)strlen(a2 ? a2 : "file"), slash + 1);
		free(name);
		return 0;
	}
	if (strcmp(op, "tmpfile") == 0) {
		FILE *f = tmpfile();

		NEED(1);
		if (!f || fputs(a1, f) == EOF || fflush(f) == EOF)
			return fail();
		rewind(f);
		n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		printf("ok %s", buf);
		/* The file must have no name: its /proc link says "(deleted)". */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(f));
		n = readlink(proc, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		printf(" %s\n", n > 10 && !strcmp(buf + n - 10, " (deleted)") ? "unnamed" : buf);
		return 0;
	}
	/* filesystem figures and the rest */
	if (strcmp(op, "statvfs") == 0 || strcmp(op, "fstatvfs") == 0) {
		struct statvfs sv;

		NEED(1);
		if (op[0] == 's') {
			if (statvfs(a1, &sv) < 0)
				return fail();
		} else if ((fd = open(a1, O_RDONLY)) < 0 || fstatvfs(fd, &sv) < 0) {
			return fail();
		}
		printf("ok rdonly=%d\n", (sv.f_flag & ST_RDONLY) ? 1 : 0);
		return 0;
	}
	if (strcmp(op, "statfs") == 0) {
		struct statfs sf;

		NEED(1);
		if (statfs(a1, &sf) < 0)
			return fail();
		printf("ok rdonly=%d\n", (sf.f_flags & ST_RDONLY) ? 1 : 0);
		return 0;
	}
	if (strcmp(op, "pathconf") == 0) {
		long v;

		NEED(1);
		errno = 0;
		v = pathconf(a1, _PC_NAME_MAX);
		if (v < 0 && errno)
			return fail();
		printf("ok %ld\n", v);
		return 0;
	}
	if (strcmp(op, "euidaccess") == 0) {
		NEED(2);
		return done(euidaccess(a1, a2[0] == 'w' ? W_OK : a2[0] == 'x' ? X_OK : R_OK));
	}
	if (strcmp(op, "inotify") == 0) {
		/* Watch folder DIR, make NAME in it, print the event's name. */
		union {
			struct inotify_event ev;
			char bytes[sizeof(struct inotify_event) + NAME_MAX + 1];
		} evbuf;
		int in = inotify_init1(IN_NONBLOCK);

		NEED(2);
		if (in < 0 || inotify_add_watch(in, a1, IN_CREATE) < 0)
			return fail();
		snprintf(buf, sizeof(buf), "%s/%s", a1, a2);
		fd = open(buf, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return fail();
		n = read(in, &evbuf, sizeof(evbuf));
		printf("ok %s\n", n > 0 ? evbuf.ev.name : "no-event");
		return 0;
	}
	if (strcmp(op, "handle") == 0) {
		union {
			struct file_handle fh;
			char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
		} h;
		int mount_id;

		NEED(1);
		h.fh.handle_bytes = MAX_HANDLE_SZ;
		return done(name_to_handle_at(AT_FDCWD, a1, &h.fh, &mount_id, 0));
	}
#undef NEED
	return -1;
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
	/* On success the program is replaced: what it prints is the outcome. */
	if (strcmp(op, "execl") == 0) {
		NEED(2);
		execl(a1, a1, a2, (char *)NULL);
		return fail();
	}
	if (strcmp(op, "execlp") == 0) {
		NEED(2);
		execlp(a1, a1, a2, (char *)NULL);
		return fail();
	}
	if (strcmp(op, "execle") == 0) {
		/* An environment of one variable: the shim must add itself back.
		 * (Under scripts/sanitize, ASan's own options are kept too.) */
		char asan[4096], *env[] = { (char *)"PROBE=execle", NULL, NULL };
		const char *opts = getenv("ASAN_OPTIONS");

		NEED(2);
		if (opts && snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s", opts) < (int)sizeof(asan))
			env[1] = asan;
		execle(a1, a1, a2, (char *)NULL, env);
		return fail();
	}
	if (strcmp(op, "getcwd") == 0) {
		char buf[PATH_MAX];

		if (!getcwd(buf, sizeof(buf)))
			return fail();
		printf("ok %s\n", buf);
		return 0;
	}
#undef NEED
	fd = run_family_ops(argc, argv);
	return fd >= 0 ? fd : usage();
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
