/* SPDX-License-Identifier: MIT */
/*
 * core/config.c - the one parser of rwshim's settings (see config.h).
 * Pure: no syscalls, no errno, no malloc, no getenv; the caller hands in each
 * value and owns every buffer. A value may be of any size and hold any bytes:
 * nothing is copied without a bound, and a bad value is quoted back at most
 * RW_QUOTE_MAX bytes long with unprintable bytes shown as '?'.
 *
 * What each setting accepts:
 *   flags (EACCES, AUDIT)  1 yes true on, and "" (set but empty) for on;
 *                          0 no false off for off; ASCII case is ignored.
 *   TMPDIR                 an absolute path; "" means not set (the default).
 *   PATHS, EXCLUDE         absolute paths separated by ':'; empty items are
 *                          skipped, duplicates dropped, each one normalised.
 *   SCOPE                  "tree" or "process".
 *   KEEP                   a flag (on: keep the overlay where it is) or an
 *                          absolute folder to keep it in.
 *   REPORT                 a flag (on: stderr), an absolute file, or
 *                          "json:FILE" with FILE absolute.
 *   LOG                    a flag (on: stderr) or an absolute file.
 * A NULL value means "not set" and restores the default.
 */
#include <errno.h>
#include <string.h>

#include "rwshim.h"
#include "core/config.h"
#include "core/path.h"

#define RW_QUOTE_MAX 60
#define RW_STR_(x) #x
#define RW_STR(x) RW_STR_(x)

static const char *const env_names[RW_SET_COUNT] = {
	[RW_SET_TMPDIR] = RWSHIM_ENV_TMPDIR,
	[RW_SET_PATHS] = RWSHIM_ENV_PATHS,
	[RW_SET_EXCLUDE] = RWSHIM_ENV_EXCLUDE,
	[RW_SET_EACCES] = RWSHIM_ENV_EACCES,
	[RW_SET_SCOPE] = RWSHIM_ENV_SCOPE,
	[RW_SET_KEEP] = RWSHIM_ENV_KEEP,
	[RW_SET_REPORT] = RWSHIM_ENV_REPORT,
	[RW_SET_LOG] = RWSHIM_ENV_LOG,
	[RW_SET_AUDIT] = RWSHIM_ENV_AUDIT,
};

const char *rw_config_env_name(enum rw_setting setting)
{
	if ((unsigned)setting >= RW_SET_COUNT)
		return "RWSHIM_?";
	return env_names[setting];
}

/* A bounded writer for error lines: it truncates, and always terminates. */
struct rw_msg {
	char *buf;
	size_t size, n;
};

static void msg_put(struct rw_msg *m, const char *s, size_t len)
{
	if (!m->size)
		return;
	while (len-- && m->n + 1 < m->size)
		m->buf[m->n++] = *s++;
	m->buf[m->n] = '\0';
}

static void msg_str(struct rw_msg *m, const char *s)
{
	msg_put(m, s, strlen(s));
}

static void msg_num(struct rw_msg *m, unsigned long v)
{
	char d[24];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while (v /= 10);
	msg_put(m, d + i, sizeof(d) - i);
}

/** Append @s (@len bytes) quoted: at most RW_QUOTE_MAX bytes, unprintables as '?'. */
static void msg_quote(struct rw_msg *m, const char *s, size_t len)
{
	size_t i;

	msg_put(m, "'", 1);
	for (i = 0; i < len && i < RW_QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];
		char out = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';

		msg_put(m, &out, 1);
	}
	msg_put(m, "'", 1);
	if (len > RW_QUOTE_MAX)
		msg_put(m, "...", 3);
}

/**
 * Write "@what: expected @expected, got '@bad'" into @err.
 * Returns -EINVAL, so callers can return its value.
 */
static int fail(char *err, size_t errlen, const char *what, const char *expected,
		const char *bad, size_t badlen)
{
	struct rw_msg m = { err, err ? errlen : 0, 0 };

	msg_put(&m, "", 0);
	msg_str(&m, what);
	msg_str(&m, ": expected ");
	msg_str(&m, expected);
	msg_str(&m, ", got ");
	msg_quote(&m, bad, badlen);
	return -EINVAL;
}

static int ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/** Returns 1 for an "on" word (or ""), 0 for an "off" word, -1 otherwise. */
static int flag_word(const char *v)
{
	static const char *const on[] = { "", "1", "yes", "true", "on" };
	static const char *const off[] = { "0", "no", "false", "off" };
	size_t i;

	for (i = 0; i < RW_ARRAY_LEN(on); i++)
		if (ascii_ieq(v, on[i]))
			return 1;
	for (i = 0; i < RW_ARRAY_LEN(off); i++)
		if (ascii_ieq(v, off[i]))
			return 0;
	return -1;
}

/**
 * Normalise the absolute path @s (@len bytes, not necessarily terminated)
 * into @out (PATH_MAX bytes).
 * Returns its length, -EINVAL if @s is not absolute, -ENAMETOOLONG if it or
 * one of its names is too long.
 */
static long abs_path(const char *s, size_t len, char *out)
{
	char tmp[PATH_MAX];

	if (len == 0 || s[0] != '/')
		return -EINVAL;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return rw_path_join(NULL, tmp, out, PATH_MAX, NULL);
}

#define EXPECT_ABS "an absolute path"
#define EXPECT_SHORT "a path of at most 4095 bytes with names of at most 255"

/** Parse a single absolute path (@expected says what else would do). */
static int set_path(char *dst, const char *what, const char *v, const char *expected,
		    char *err, size_t errlen)
{
	char out[PATH_MAX];
	size_t len = strlen(v);
	long r = abs_path(v, len, out);

	if (r == -ENAMETOOLONG)
		return fail(err, errlen, what, EXPECT_SHORT, v, len);
	if (r < 0)
		return fail(err, errlen, what, expected, v, len);
	memcpy(dst, out, (size_t)r + 1);
	return 0;
}

/** Write "@what: @text" into @err; returns -EINVAL. */
static int fail_text(char *err, size_t errlen, const char *what, const char *text,
		     unsigned long num)
{
	struct rw_msg m = { err, err ? errlen : 0, 0 };

	msg_put(&m, "", 0);
	msg_str(&m, what);
	msg_str(&m, ": ");
	msg_str(&m, text);
	if (num)
		msg_num(&m, num);
	return -EINVAL;
}

/**
 * Parse the ':'-separated list @v into @l. Every item is checked before
 * @l is touched, so a bad list leaves it as it was.
 */
static int set_list(struct rw_prefix_list *l, const char *what, const char *v, char *err,
		    size_t errlen)
{
	struct rw_prefix_list nl;
	size_t used = 0, count = 0;
	int full = 0;
	const char *p, *end;

	nl.n = 0;
	nl.buf[0] = '\0';
	for (p = v;; p = end + 1) {
		char out[PATH_MAX];
		size_t len;
		long r;
		int i, dup = 0;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len) {
			count++;
			r = abs_path(p, len, out);
			if (r == -ENAMETOOLONG)
				return fail(err, errlen, what, EXPECT_SHORT, p, len);
			if (r < 0)
				return fail(err, errlen, what,
					    "absolute paths separated by ':'", p, len);
			for (i = 0; i < nl.n && !dup; i++)
				dup = nl.len[i] == r && !memcmp(nl.buf + nl.off[i], out, (size_t)r);
			if (dup) {
				/* already there */
			} else if (nl.n == RW_MAX_PREFIXES) {
				full = 1; /* go on counting for the message */
			} else if (used + (size_t)r + 1 > sizeof(nl.buf)) {
				return fail_text(err, errlen, what,
						 "expected paths of at most 4095 bytes in all, "
						 "got more", 0);
			} else {
				nl.off[nl.n] = (unsigned short)used;
				nl.len[nl.n] = (unsigned short)r;
				memcpy(nl.buf + used, out, (size_t)r + 1);
				used += (size_t)r + 1;
				nl.n++;
			}
		}
		if (!*end)
			break;
	}
	if (full)
		return fail_text(err, errlen, what,
				 "expected at most " RW_STR(RW_MAX_PREFIXES) " paths, got ",
				 count);
	memcpy(l, &nl, sizeof(nl));
	return 0;
}

/** Parse a flag into *@dst. */
static int set_flag(int *dst, const char *what, const char *v, char *err, size_t errlen)
{
	int f = flag_word(v);

	if (f < 0)
		return fail(err, errlen, what, "1/0, yes/no, true/false or on/off", v, strlen(v));
	*dst = f;
	return 0;
}

/**
 * Parse a destination: a flag, or an absolute path (after "json:" when
 * @json is not NULL). Sets *@on, @file ("" for the default place) and *@json.
 */
static int set_dest(int *on, char *file, int *json, const char *what, const char *v,
		    const char *expected, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int f = flag_word(v), j = 0;
	const char *p = v;
	long r;

	if (f >= 0) {
		*on = f;
		file[0] = '\0';
		if (json)
			*json = 0;
		return 0;
	}
	if (json && !strncmp(v, "json:", 5)) {
		j = 1;
		p = v + 5;
	}
	r = abs_path(p, strlen(p), path);
	if (r == -ENAMETOOLONG)
		return fail(err, errlen, what, EXPECT_SHORT, v, strlen(v));
	if (r < 0)
		return fail(err, errlen, what, expected, v, strlen(v));
	*on = 1;
	memcpy(file, path, (size_t)r + 1);
	if (json)
		*json = j;
	return 0;
}

/** Restore the default of one setting. */
static void set_default(struct rw_config *c, enum rw_setting s)
{
	switch (s) {
	case RW_SET_TMPDIR:
		c->tmpdir[0] = '\0';
		break;
	case RW_SET_PATHS:
		c->paths.n = 0;
		c->paths.buf[0] = '\0';
		break;
	case RW_SET_EXCLUDE:
		c->exclude.n = 0;
		c->exclude.buf[0] = '\0';
		break;
	case RW_SET_EACCES:
		c->eacces = 0;
		break;
	case RW_SET_SCOPE:
		c->scope = RW_SCOPE_TREE;
		break;
	case RW_SET_KEEP:
		c->keep = 0;
		c->keep_dir[0] = '\0';
		break;
	case RW_SET_REPORT:
		c->report = 0;
		c->report_json = 0;
		c->report_file[0] = '\0';
		break;
	case RW_SET_LOG:
		c->log = 0;
		c->log_file[0] = '\0';
		break;
	case RW_SET_AUDIT:
		c->audit = 0;
		break;
	case RW_SET_COUNT:
		break;
	}
}

void rw_config_defaults(struct rw_config *c)
{
	int s;

	for (s = 0; s < RW_SET_COUNT; s++)
		set_default(c, (enum rw_setting)s);
}

int rw_config_set(struct rw_config *c, enum rw_setting setting, const char *what,
		  const char *value, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!what)
		what = rw_config_env_name(setting);
	if ((unsigned)setting >= RW_SET_COUNT)
		return fail_text(err, errlen, what, "unknown setting", 0);
	if (!value) {
		set_default(c, setting);
		return 0;
	}

	switch (setting) {
	case RW_SET_TMPDIR:
		if (!*value) {
			set_default(c, setting);
			return 0;
		}
		return set_path(c->tmpdir, what, value, EXPECT_ABS, err, errlen);
	case RW_SET_PATHS:
		return set_list(&c->paths, what, value, err, errlen);
	case RW_SET_EXCLUDE:
		return set_list(&c->exclude, what, value, err, errlen);
	case RW_SET_EACCES:
		return set_flag(&c->eacces, what, value, err, errlen);
	case RW_SET_AUDIT:
		return set_flag(&c->audit, what, value, err, errlen);
	case RW_SET_SCOPE:
		if (ascii_ieq(value, "tree"))
			c->scope = RW_SCOPE_TREE;
		else if (ascii_ieq(value, "process"))
			c->scope = RW_SCOPE_PROCESS;
		else
			return fail(err, errlen, what, "'tree' or 'process'", value,
				    strlen(value));
		return 0;
	case RW_SET_KEEP:
		return set_dest(&c->keep, c->keep_dir, NULL, what, value,
				"1 or an absolute folder", err, errlen);
	case RW_SET_REPORT:
		return set_dest(&c->report, c->report_file, &c->report_json, what, value,
				"1, an absolute file or json:FILE", err, errlen);
	case RW_SET_LOG:
		return set_dest(&c->log, c->log_file, NULL, what, value,
				"1 or an absolute file", err, errlen);
	case RW_SET_COUNT:
		break;
	}
	return -EINVAL;
}

int rw_prefix_list_match(const struct rw_prefix_list *list, const char *path, size_t len)
{
	int i;

	for (i = 0; i < list->n; i++)
		if (rw_path_has_prefix(path, len, list->buf + list->off[i], list->len[i]))
			return 1;
	return 0;
}

int rw_tmpdir_unsafe(unsigned int owner, unsigned int mode, unsigned int me)
{
	if (owner != 0 && owner != me)
		return 1;
	return (mode & 022) && !(mode & 01000);
}
