/* SPDX-License-Identifier: MIT */
/*
 * musl_probe - a small program that does what a service does to its folder,
 * built with musl-gcc by scripts/test-musl and run with the musl-built
 * librwshim.so preloaded, in a read-only folder. There is no musl shell on a
 * Debian host, so the steps a shell test would chain run here, in one
 * process and in a child it starts with fork and exec.
 *
 *   musl_probe run DIR     the whole sequence; one "step: result" line each
 *   musl_probe child DIR   (run starts this) read and write in DIR
 *
 * DIR holds old.txt ("old\n"), gone.txt and sub/; a result is "ok", what was
 * read back, or the errno name of the failed call. Plain C and libc only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* DIR/NAME, in one of four buffers, so that a call can take two. */
static const char *at(const char *dir, const char *name)
{
	static char bufs[4][PATH_MAX];
	static unsigned int next;
	char *b = bufs[next++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", dir, name);
	return b;
}

static const char *err(void)
{
	switch (errno) {
	case EROFS: return "EROFS";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case ENOSYS: return "ENOSYS";
	default: return strerror(errno);
	}
}

/* Print "step: ok" or "step: ERRNO" for a call that returned @r. */
static void result(const char *step, int r)
{
	printf("%s: %s\n", step, r < 0 ? err() : "ok");
}

/* Print "step: CONTENT" (newlines as '|') of @file, or its errno name. */
static void show(const char *step, const char *file)
{
	char buf[256];
	ssize_t n;
	int fd = open(file, O_RDONLY), i;

	if (fd < 0) {
		printf("%s: %s\n", step, err());
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		printf("%s: %s\n", step, err());
		return;
	}
	buf[n] = '\0';
	for (i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = '|';
	printf("%s: %s\n", step, buf);
}

static int write_file(const char *file, int flags, const char *text)
{
	int fd = open(file, O_WRONLY | flags, 0644), e;

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Print "step: a,b,c" of @dir's entries, sorted, without . and .. */
static void list(const char *step, const char *dir)
{
	char *names[64];
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0, i;

	if (!dp) {
		printf("%s: %s\n", step, err());
		return;
	}
	while ((d = readdir(dp)) && n < 64)
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			names[n++] = strdup(d->d_name);
	closedir(dp);
	qsort(names, (size_t)n, sizeof(names[0]), cmp);
	printf("%s: ", step);
	for (i = 0; i < n; i++) {
		printf("%s%s", i ? "," : "", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static int child(const char *dir)
{
	show("child-reads", at(dir, "new.txt"));
	result("child-writes", write_file(at(dir, "from-child.txt"), O_CREAT | O_TRUNC, "child\n"));
	return 0;
}

static int run(const char *self, const char *dir)
{
	char tmpl[PATH_MAX], cwd[PATH_MAX], sub[PATH_MAX];
	struct stat st;
	FILE *f;
	pid_t pid;
	int fd, status;

	/* A new file, read back through stdio. */
	result("create", write_file(at(dir, "new.txt"), O_CREAT | O_TRUNC, "hello\n"));
	f = fopen(at(dir, "new.txt"), "r");
	if (f) {
		char line[64] = "";
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		line[strcspn(line, "\n")] = '\0';
		printf("fopen-read: %s\n", line);
		fclose(f);
	} else {
		printf("fopen-read: %s\n", err());
	}
	printf("stat-size: %s\n",
	       stat(at(dir, "new.txt"), &st) < 0 ? err() : st.st_size == 6 ? "6" : "wrong");

	/* Append to a read-only file: copy-up keeps the old content. */
	f = fopen(at(dir, "old.txt"), "a");
	if (f) {
		fputs("appended\n", f);
		printf("fopen-append: %s\n", fclose(f) == 0 ? "ok" : err());
	} else {
		printf("fopen-append: %s\n", err());
	}
	show("append-read", at(dir, "old.txt"));

	/* Folders, listings, deletion, renaming. */
	result("mkdir", mkdir(at(dir, "made"), 0755));
	result("create-in-made", write_file(at(dir, "made/inner.txt"), O_CREAT, "inner\n"));
	result("unlink", unlink(at(dir, "gone.txt")));
	result("access-gone", access(at(dir, "gone.txt"), F_OK));
	result("rename", rename(at(dir, "made/inner.txt"), at(dir, "sub/moved.txt")));
	show("renamed-read", at(dir, "sub/moved.txt"));
	list("list", dir);
	list("list-sub", at(dir, "sub"));

	/* Write a temporary file, then rename it over the original (sed -i). */
	snprintf(tmpl, sizeof(tmpl), "%s/.tmpXXXXXX", dir);
	fd = mkstemp(tmpl);
	if (fd >= 0) {
		int w = write(fd, "replaced\n", 9) == 9 ? 0 : -1;
		close(fd);
		result("mkstemp-rename", w < 0 ? w : rename(tmpl, at(dir, "old.txt")));
	} else {
		printf("mkstemp-rename: %s\n", err());
	}
	show("replaced-read", at(dir, "old.txt"));

	/* Relative paths after chdir, and getcwd naming the folder asked for. */
	snprintf(sub, sizeof(sub), "%s/made", dir);
	result("chdir", chdir(sub));
	printf("getcwd: %s\n", getcwd(cwd, sizeof(cwd)) ? (strcmp(cwd, sub) ? cwd : "same") : err());
	result("relative-create", write_file("rel.txt", O_CREAT, "rel\n"));
	show("relative-read", "rel.txt");
	if (chdir("/") < 0)
		return 1;

	/* A child through fork and exec shares the overlay, both ways. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "child", dir, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		printf("child: failed\n");
	show("parent-reads-child", at(dir, "from-child.txt"));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "run"))
		return run(argv[0][0] == '/' ? argv[0] : "/proc/self/exe", argv[2]);
	if (argc == 3 && !strcmp(argv[1], "child"))
		return child(argv[2]);
	fprintf(stderr, "usage: musl_probe run|child DIR\n");
	return 2;
}
