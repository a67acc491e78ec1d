/* SPDX-License-Identifier: MIT */
/*
 * fs/report.c - the change report and the audit summary (see report.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/escape.h"
#include "core/path.h"
#include "fs/msg.h"
#include "fs/real.h"
#include "fs/report.h"
#include "fs/session.h"

struct change {
	char status; /* 'A', 'M' or 'D' */
	int dir;
	long long size;
	char *path;
};

struct changes {
	struct change *v;
	size_t n, cap;
	long long bytes;
};

static void add(struct changes *c, char status, const char *path, int dir, long long size)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct change *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].status = status;
	c->v[c->n].dir = dir;
	c->v[c->n].size = size;
	c->v[c->n].path = strdup(path);
	if (c->v[c->n].path)
		c->n++;
}

/* Walk overlay folder @fd, virtual @path (@len bytes); @hidden when the
 * lower folder does not show here (new or opaque), so all is added. */
static void walk(struct changes *c, int fd, char *path, size_t len, int hidden)
{
	DIR *d = real_fdopendir(fd);
	struct dirent *e;
	struct stat st, lst;

	if (!d) {
		real_close(fd);
		return;
	}
	if (!hidden && real_fstatat(fd, ".wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW) == 0)
		hidden = 1;
	while ((e = real_readdir(d))) {
		const char *name = e->d_name;
		size_t nl = strlen(name), clen;
		int is_wh = !strncmp(name, ".wh.", 4);

		if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".wh..wh..opq"))
			continue;
		if (is_wh)
			name += 4, nl -= 4;
		clen = (len == 1 ? 1 : len + 1) + nl;
		if (clen >= PATH_MAX)
			continue;
		if (len > 1)
			path[len] = '/';
		memcpy(path + (len == 1 ? 1 : len + 1), name, nl + 1);
		if (is_wh) {
			if (real_fstatat(AT_FDCWD, path, &lst, AT_SYMLINK_NOFOLLOW) == 0)
				add(c, 'D', path, S_ISDIR(lst.st_mode), S_ISDIR(lst.st_mode) ? 0 : lst.st_size);
		} else if (real_fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			int lower = !hidden && real_fstatat(AT_FDCWD, path, &lst, AT_SYMLINK_NOFOLLOW) == 0;
			if (S_ISDIR(st.st_mode)) {
				int sub = real_openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (!lower || !S_ISDIR(lst.st_mode))
					add(c, lower ? 'M' : 'A', path, 1, 0);
				if (sub >= 0)
					walk(c, sub, path, clen, hidden || !lower || !S_ISDIR(lst.st_mode));
			} else {
				add(c, lower ? 'M' : 'A', path, 0, st.st_size);
				c->bytes += st.st_size;
			}
		}
		path[len] = '\0';
		if (len == 1)
			path[1] = '\0';
	}
	real_closedir(d);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path, ((const struct change *)b)->path);
}

/* A name on one line of the text report: its control bytes escaped, so
 * that a name holding a newline cannot forge a line ("x\nD /etc/shadow"). */
static void text_name(FILE *f, const char *s)
{
	char buf[5];

	for (; *s; s++) {
		rw_escape(buf, sizeof(buf), s, 1);
		fputs(buf, f);
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static int folder_fd = -1;

int rw_report_open_folder(void)
{
	char dir[PATH_MAX];
	const char *name;
	size_t n;
	int fd, hi;

	if (!rw_cfg.report || !rw_cfg.report_file[0])
		return -1;
	n = rw_path_split(rw_cfg.report_file, strlen(rw_cfg.report_file), &name);
	memcpy(dir, rw_cfg.report_file, n);
	dir[n] = '\0';
	fd = real_openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, 64);
	if (hi >= 0) {
		real_close(fd);
		fd = hi;
	}
	return folder_fd = fd;
}

int rw_report_folder(void)
{
	return folder_fd;
}

void rw_report_use_folder(int fd)
{
	folder_fd = fd;
}

/* Open a new file for the report in its folder; its temporary name goes in
 * @tmp. Returns the stream, or NULL with errno set. */
static FILE *report_file(char *tmp, size_t size)
{
	FILE *f;
	int out;

	if (folder_fd < 0) {
		errno = ENOENT;
		return NULL;
	}
	snprintf(tmp, size, ".rwshim-report.%d", (int)getpid());
	out = real_openat(folder_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	f = out < 0 ? NULL : fdopen(out, "w");
	if (!f && out >= 0)
		real_close(out);
	return f;
}

void rw_report_changes(int sessfd)
{
	char tmp[64];
	struct changes c = { 0 };
	char path[PATH_MAX] = "/";
	size_t i, count[3] = { 0, 0, 0 };
	FILE *f = stderr;
	int fd = real_openat(sessfd, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0)
		walk(&c, fd, path, 1, 0);
	qsort(c.v, c.n, sizeof(*c.v), by_path);
	if (rw_cfg.report_file[0]) {
		f = report_file(tmp, sizeof(tmp));
		if (!f) {
			rw_say("cannot write the report to ", rw_cfg.report_file, ": ",
			       rw_strerror(errno), (char *)NULL);
			return;
		}
	}
	for (i = 0; i < c.n; i++)
		count[c.v[i].status == 'A' ? 0 : c.v[i].status == 'M' ? 1 : 2]++;
	if (rw_cfg.report_json) {
		fputs("{\"changes\": [", f);
		for (i = 0; i < c.n; i++) {
			fprintf(f, "%s\n  {\"status\": \"%c\", \"path\": ", i ? "," : "", c.v[i].status);
			json_string(f, c.v[i].path);
			fprintf(f, ", \"type\": \"%s\", \"size\": %lld}", c.v[i].dir ? "dir" : "file",
				c.v[i].size);
		}
		fprintf(f, "%s],\n \"added\": %zu, \"modified\": %zu, \"deleted\": %zu, \"bytes\": %lld}\n",
			c.n ? "\n" : "", count[0], count[1], count[2], c.bytes);
	} else {
		fputs("rwshim: changes:\n", f);
		for (i = 0; i < c.n; i++) {
			fprintf(f, "%c ", c.v[i].status);
			text_name(f, c.v[i].path);
			fprintf(f, "%s %lld\n", c.v[i].dir ? "/" : "", c.v[i].size);
		}
		fprintf(f, "rwshim: %zu added, %zu modified, %zu deleted, %lld bytes in the overlay\n",
			count[0], count[1], count[2], c.bytes);
	}
	if (f != stderr) {
		const char *name;
		int bad = ferror(f) | fclose(f);
		rw_path_split(rw_cfg.report_file, strlen(rw_cfg.report_file), &name);
		/* The name is replaced whole, whatever was there, a link too. */
		if (bad || real_renameat(folder_fd, tmp, folder_fd, name) < 0) {
			rw_say("cannot write the report to ", rw_cfg.report_file, ": ",
			       rw_strerror(bad ? EIO : errno), (char *)NULL);
			real_unlinkat(folder_fd, tmp, 0);
		}
	} else {
		fflush(f);
	}
	for (i = 0; i < c.n; i++)
		free(c.v[i].path);
	free(c.v);
}

struct folder {
	char *path;
	size_t count;
};

static int by_count(const void *a, const void *b)
{
	const struct folder *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->path, y->path);
}

void rw_report_audit(int sessfd)
{
	struct folder *v = NULL;
	size_t n = 0, cap = 0, total = 0, i;
	char line[PATH_MAX + 2];
	int fd = real_openat(sessfd, "audit", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *in = fd < 0 ? NULL : fdopen(fd, "r");

	if (!in) {
		fputs("rwshim: audit: no write was refused by a read-only filesystem\n", stderr);
		return;
	}
	while (fgets(line, sizeof(line), in)) {
		char *slash;
		size_t len = strcspn(line, "\n");

		line[len] = '\0';
		slash = strrchr(line, '/');
		if (slash)
			*(slash == line ? slash + 1 : slash) = '\0';
		total++;
		for (i = 0; i < n && strcmp(v[i].path, line); i++)
			;
		if (i == n) {
			if (n == cap) {
				struct folder *nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof(*v));
				if (!nv)
					break;
				v = nv;
			}
			v[n].path = strdup(line);
			v[n].count = 0;
			if (!v[n].path)
				break;
			n++;
		}
		v[i].count++;
	}
	fclose(in);
	qsort(v, n, sizeof(*v), by_count);
	fprintf(stderr, "rwshim: audit: %zu write%s refused by a read-only filesystem, in %zu folder%s:\n",
		total, total == 1 ? "" : "s", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		fprintf(stderr, "%8zu  %s\n", v[i].count, v[i].path);
		free(v[i].path);
	}
	free(v);
}
