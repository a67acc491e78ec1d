/* SPDX-License-Identifier: MIT */
/*
 * fs/log.c - the --log and --audit lines (see log.h). Formatted on the
 * stack; the log file is opened for each line, so no descriptor of ours
 * can be closed or reused under a program that sweeps its descriptors.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/escape.h"
#include "fs/log.h"
#include "fs/real.h"
#include "fs/session.h"

#define AUDIT_NAME "audit"

static char prog[17] = "?";

void rw_log_init(void)
{
	if (rw_cfg.log || rw_cfg.audit)
		prctl(PR_GET_NAME, prog, 0, 0, 0);
}

const char *rw_errname(int err)
{
	switch (err) {
	case EROFS: return "EROFS";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ENOSPC: return "ENOSPC";
	case EDQUOT: return "EDQUOT";
	case ELOOP: return "ELOOP";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case EXDEV: return "EXDEV";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case EIO: return "EIO";
	case ETXTBSY: return "ETXTBSY";
	default: return NULL;
	}
}

struct line {
	char buf[PATH_MAX + 256];
	size_t n;
};

static void put(struct line *l, const char *s)
{
	size_t len = strlen(s);

	if (len > sizeof(l->buf) - 2 - l->n)
		len = sizeof(l->buf) - 2 - l->n;
	memcpy(l->buf + l->n, s, len);
	l->n += len;
}

/* A name, escaped: a newline in it must not start a line of its own. */
static void put_name(struct line *l, const char *s)
{
	size_t room = sizeof(l->buf) - 1 - l->n, w;

	w = rw_escape(l->buf + l->n, room, s, strlen(s));
	l->n += w < room ? w : strlen(l->buf + l->n);
}

static void put_num(struct line *l, long v)
{
	char d[24];
	int n = 0;
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

	if (v < 0)
		put(l, "-");
	do
		d[n++] = (char)('0' + u % 10);
	while ((u /= 10));
	while (n && l->n < sizeof(l->buf) - 2)
		l->buf[l->n++] = d[--n];
}

static void put_flags(struct line *l, int flags)
{
	static const struct { int bit; const char *name; } bits[] = {
		{ O_CREAT, "|O_CREAT" }, { O_EXCL, "|O_EXCL" }, { O_TRUNC, "|O_TRUNC" },
		{ O_APPEND, "|O_APPEND" }, { O_DIRECTORY, "|O_DIRECTORY" },
		{ O_NOFOLLOW, "|O_NOFOLLOW" }, { O_CLOEXEC, "|O_CLOEXEC" },
	};
	size_t i;

	put(l, (flags & O_ACCMODE) == O_RDWR	 ? " O_RDWR"
	       : (flags & O_ACCMODE) == O_WRONLY ? " O_WRONLY"
						 : " O_RDONLY");
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		put(l, "|O_TMPFILE");
		flags &= ~O_TMPFILE;
	}
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (flags & bits[i].bit)
			put(l, bits[i].name);
}

static void append_to(const char *file, int dirfd, const struct line *l)
{
	int fd = real_openat(dirfd, file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);

	if (fd < 0)
		return;
	(void)!write(fd, l->buf, l->n);
	real_close(fd);
}

void rw_log_call(const char *call, const char *path, const char *to, int flags, long result,
		 int audit)
{
	RW_BUSY_SCOPE();
	struct line l = { .n = 0 };
	int saved = errno;

	if (!(audit ? rw_cfg.audit : rw_cfg.log))
		return;
	put(&l, audit ? "rwshim: audit: pid " : "rwshim: log: pid ");
	put_num(&l, (long)getpid());
	put(&l, " ");
	put_name(&l, prog);
	put(&l, " ");
	put(&l, call);
	put(&l, " ");
	put_name(&l, path);
	if (to) {
		put(&l, " -> ");
		put_name(&l, to);
	}
	if (flags >= 0)
		put_flags(&l, flags);
	put(&l, ": ");
	if (result >= 0) {
		put(&l, "ok");
	} else {
		const char *name = rw_errname((int)-result);
		if (name)
			put(&l, name);
		else
			put_num(&l, result);
	}
	l.buf[l.n++] = '\n';
	if (rw_cfg.log_file[0])
		append_to(rw_cfg.log_file, AT_FDCWD, &l);
	else
		(void)!write(2, l.buf, l.n);
	if (audit && rw_sess.ix) {
		/* The reaper sums these up by folder when the tree ends. */
		struct line a = { .n = 0 };
		put_name(&a, path);
		a.buf[a.n++] = '\n';
		append_to(AUDIT_NAME, rw_sess.fd, &a);
	}
	errno = saved;
}
