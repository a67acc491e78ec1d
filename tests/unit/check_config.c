/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/check_config.c - Check suite for core/config.c: defaults, every
 * setting with good and bad values, lists and their limits, values of any
 * size and any bytes, and the wording of the one-line errors.
 * Each table row is one case; tcase_add_loop_test runs them by index.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "rwshim.h"
#include "core/config.h"

#define BIG (100 * 1024)

static struct rw_config cfg; /* large: keep it off the stack */
static char big[BIG + 1];

/** Describe setting @s of @c as one string, so tables can say what they expect. */
static const char *show(const struct rw_config *c, enum rw_setting s)
{
	static char buf[2 * PATH_MAX];
	const struct rw_prefix_list *l = s == RW_SET_PATHS ? &c->paths : &c->exclude;
	size_t n = 0;
	int i;

	buf[0] = '\0';
	switch (s) {
	case RW_SET_TMPDIR:
		snprintf(buf, sizeof(buf), "%s", c->tmpdir);
		break;
	case RW_SET_PATHS:
	case RW_SET_EXCLUDE:
		for (i = 0; i < l->n; i++) {
			const char *e = l->buf + l->off[i];

			/* Each entry is its own C string of len[i] bytes. */
			ck_assert_uint_eq(strlen(e), l->len[i]);
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "|" : "", e);
		}
		break;
	case RW_SET_EACCES:
		snprintf(buf, sizeof(buf), "%s", c->eacces ? "on" : "off");
		break;
	case RW_SET_AUDIT:
		snprintf(buf, sizeof(buf), "%s", c->audit ? "on" : "off");
		break;
	case RW_SET_SCOPE:
		snprintf(buf, sizeof(buf), "%s", c->scope == RW_SCOPE_TREE ? "tree" : "process");
		break;
	case RW_SET_KEEP:
		snprintf(buf, sizeof(buf), "%s%s%s", c->keep ? "on" : "off",
			 c->keep_dir[0] ? ":" : "", c->keep_dir);
		break;
	case RW_SET_REPORT:
		snprintf(buf, sizeof(buf), "%s%s%s%s", c->report ? "on" : "off",
			 c->report_file[0] || c->report_json ? ":" : "",
			 c->report_json ? "json:" : "", c->report_file);
		break;
	case RW_SET_LOG:
		snprintf(buf, sizeof(buf), "%s%s%s", c->log ? "on" : "off",
			 c->log_file[0] ? ":" : "", c->log_file);
		break;
	case RW_SET_COUNT:
		break;
	}
	return buf;
}

/* A value for each setting that is not its default. */
static const char *const other[RW_SET_COUNT] = {
	[RW_SET_TMPDIR] = "/prev",
	[RW_SET_PATHS] = "/prev:/prev2",
	[RW_SET_EXCLUDE] = "/prev",
	[RW_SET_EACCES] = "1",
	[RW_SET_SCOPE] = "process",
	[RW_SET_KEEP] = "/prev",
	[RW_SET_REPORT] = "json:/prev",
	[RW_SET_LOG] = "/prev",
	[RW_SET_AUDIT] = "1",
};

static void setup(void)
{
	rw_config_defaults(&cfg);
}

START_TEST(test_defaults)
{
	static const char *const want[RW_SET_COUNT] = {
		[RW_SET_TMPDIR] = "",     [RW_SET_PATHS] = "", [RW_SET_EXCLUDE] = "",
		[RW_SET_EACCES] = "off",  [RW_SET_SCOPE] = "tree", [RW_SET_KEEP] = "off",
		[RW_SET_REPORT] = "off",  [RW_SET_LOG] = "off", [RW_SET_AUDIT] = "off",
	};
	char err[128];
	int s;

	/* Defaults also undo what was set before. */
	for (s = 0; s < RW_SET_COUNT; s++)
		ck_assert_int_eq(rw_config_set(&cfg, s, NULL, other[s], err, sizeof(err)), 0);
	rw_config_defaults(&cfg);
	for (s = 0; s < RW_SET_COUNT; s++)
		ck_assert_str_eq(show(&cfg, s), want[s]);
	ck_assert_int_eq(cfg.paths.n, 0);
	ck_assert_int_eq(cfg.exclude.n, 0);
	ck_assert_int_eq(cfg.report_json, 0);
}
END_TEST

static const struct name_case {
	enum rw_setting s;
	const char *name;
} name_cases[] = {
	{ RW_SET_TMPDIR, "RWSHIM_TMPDIR" }, { RW_SET_PATHS, "RWSHIM_PATHS" },
	{ RW_SET_EXCLUDE, "RWSHIM_EXCLUDE" }, { RW_SET_EACCES, "RWSHIM_EACCES" },
	{ RW_SET_SCOPE, "RWSHIM_SCOPE" },   { RW_SET_KEEP, "RWSHIM_KEEP" },
	{ RW_SET_REPORT, "RWSHIM_REPORT" }, { RW_SET_LOG, "RWSHIM_LOG" },
	{ RW_SET_AUDIT, "RWSHIM_AUDIT" },
};

START_TEST(test_env_name)
{
	ck_assert_str_eq(rw_config_env_name(name_cases[_i].s), name_cases[_i].name);
}
END_TEST

static const struct good_case {
	enum rw_setting s;
	const char *value, *want;
} good_cases[] = {
	{ RW_SET_TMPDIR, "/tmp", "/tmp" },
	{ RW_SET_TMPDIR, "/var//tmp/", "/var/tmp" },
	{ RW_SET_TMPDIR, "/a/./b/../c", "/a/c" },
	{ RW_SET_TMPDIR, "/", "/" },
	{ RW_SET_TMPDIR, "/..", "/" },
	{ RW_SET_TMPDIR, "", "" }, /* set but empty: the default */
	{ RW_SET_TMPDIR, "/tmp/\xff\xfe caf\xc3\xa9", "/tmp/\xff\xfe caf\xc3\xa9" },
	{ RW_SET_PATHS, "", "" },
	{ RW_SET_PATHS, ":", "" },
	{ RW_SET_PATHS, ":::", "" },
	{ RW_SET_PATHS, "/usr", "/usr" },
	{ RW_SET_PATHS, "/usr:/opt/", "/usr|/opt" },
	{ RW_SET_PATHS, "::/usr::/opt::", "/usr|/opt" },
	{ RW_SET_PATHS, "/usr:/usr/:/./usr", "/usr" },
	{ RW_SET_PATHS, "/a/./b:/c/../d", "/a/b|/d" },
	{ RW_SET_PATHS, "/", "/" },
	{ RW_SET_PATHS, "/\x80\x81:/x y", "/\x80\x81|/x y" },
	{ RW_SET_EXCLUDE, "/srv/cache:/var/lib/db/", "/srv/cache|/var/lib/db" },
	{ RW_SET_EXCLUDE, "", "" },
	{ RW_SET_EACCES, "1", "on" },
	{ RW_SET_EACCES, "", "on" },
	{ RW_SET_EACCES, "yes", "on" },
	{ RW_SET_EACCES, "YES", "on" },
	{ RW_SET_EACCES, "True", "on" },
	{ RW_SET_EACCES, "on", "on" },
	{ RW_SET_EACCES, "0", "off" },
	{ RW_SET_EACCES, "no", "off" },
	{ RW_SET_EACCES, "false", "off" },
	{ RW_SET_EACCES, "OFF", "off" },
	{ RW_SET_AUDIT, "1", "on" },
	{ RW_SET_AUDIT, "off", "off" },
	{ RW_SET_SCOPE, "tree", "tree" },
	{ RW_SET_SCOPE, "process", "process" },
	{ RW_SET_SCOPE, "Process", "process" },
	{ RW_SET_KEEP, "1", "on" },
	{ RW_SET_KEEP, "", "on" },
	{ RW_SET_KEEP, "0", "off" },
	{ RW_SET_KEEP, "/var/keep/", "on:/var/keep" },
	{ RW_SET_REPORT, "1", "on" },
	{ RW_SET_REPORT, "no", "off" },
	{ RW_SET_REPORT, "/tmp/report.txt", "on:/tmp/report.txt" },
	{ RW_SET_REPORT, "json:/tmp/r.json", "on:json:/tmp/r.json" },
	{ RW_SET_REPORT, "json://tmp//r.json", "on:json:/tmp/r.json" },
	{ RW_SET_LOG, "1", "on" },
	{ RW_SET_LOG, "false", "off" },
	{ RW_SET_LOG, "/var/log/rw.log", "on:/var/log/rw.log" },
};

START_TEST(test_good)
{
	const struct good_case *c = &good_cases[_i];
	char err[128];

	/* Start from a value that is not the default, to see it replaced. */
	ck_assert_int_eq(rw_config_set(&cfg, c->s, NULL, other[c->s], err, sizeof(err)), 0);
	memset(err, 'X', sizeof(err));
	ck_assert_int_eq(rw_config_set(&cfg, c->s, "WHAT", c->value, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(show(&cfg, c->s), c->want);
}
END_TEST

static const struct bad_case {
	enum rw_setting s;
	const char *what, *value, *msg;
} bad_cases[] = {
	{ RW_SET_TMPDIR, "RWSHIM_TMPDIR", "tmp",
	  "RWSHIM_TMPDIR: expected an absolute path, got 'tmp'" },
	{ RW_SET_TMPDIR, "--tmpdir", "./tmp", "--tmpdir: expected an absolute path, got './tmp'" },
	{ RW_SET_TMPDIR, "--tmpdir", "~/tmp", "--tmpdir: expected an absolute path, got '~/tmp'" },
	{ RW_SET_PATHS, "RWSHIM_PATHS", "usr",
	  "RWSHIM_PATHS: expected absolute paths separated by ':', got 'usr'" },
	{ RW_SET_PATHS, "--paths", "/usr:opt:/srv",
	  "--paths: expected absolute paths separated by ':', got 'opt'" },
	{ RW_SET_PATHS, "--paths", "/usr:./x:",
	  "--paths: expected absolute paths separated by ':', got './x'" },
	{ RW_SET_EXCLUDE, "--exclude", "relative",
	  "--exclude: expected absolute paths separated by ':', got 'relative'" },
	{ RW_SET_EACCES, "RWSHIM_EACCES", "2",
	  "RWSHIM_EACCES: expected 1/0, yes/no, true/false or on/off, got '2'" },
	{ RW_SET_EACCES, "RWSHIM_EACCES", "maybe",
	  "RWSHIM_EACCES: expected 1/0, yes/no, true/false or on/off, got 'maybe'" },
	{ RW_SET_EACCES, "RWSHIM_EACCES", " 1",
	  "RWSHIM_EACCES: expected 1/0, yes/no, true/false or on/off, got ' 1'" },
	{ RW_SET_EACCES, "RWSHIM_EACCES", "yess",
	  "RWSHIM_EACCES: expected 1/0, yes/no, true/false or on/off, got 'yess'" },
	{ RW_SET_AUDIT, "--audit", "enable",
	  "--audit: expected 1/0, yes/no, true/false or on/off, got 'enable'" },
	{ RW_SET_SCOPE, "--scope", "bogus", "--scope: expected 'tree' or 'process', got 'bogus'" },
	{ RW_SET_SCOPE, "RWSHIM_SCOPE", "bogus",
	  "RWSHIM_SCOPE: expected 'tree' or 'process', got 'bogus'" },
	{ RW_SET_SCOPE, "RWSHIM_SCOPE", "", "RWSHIM_SCOPE: expected 'tree' or 'process', got ''" },
	{ RW_SET_SCOPE, "RWSHIM_SCOPE", "tree ",
	  "RWSHIM_SCOPE: expected 'tree' or 'process', got 'tree '" },
	{ RW_SET_SCOPE, "RWSHIM_SCOPE", "trees",
	  "RWSHIM_SCOPE: expected 'tree' or 'process', got 'trees'" },
	{ RW_SET_SCOPE, "RWSHIM_SCOPE", "\xff\xfe\x01" "bogus\n\x1b[0m",
	  "RWSHIM_SCOPE: expected 'tree' or 'process', got '???bogus??[0m'" },
	{ RW_SET_SCOPE, "RWSHIM_SCOPE", "caf\xc3\xa9",
	  "RWSHIM_SCOPE: expected 'tree' or 'process', got 'caf?" "?'" },
	{ RW_SET_KEEP, "--keep", "yes please",
	  "--keep: expected 1 or an absolute folder, got 'yes please'" },
	{ RW_SET_KEEP, "--keep", "keep/here",
	  "--keep: expected 1 or an absolute folder, got 'keep/here'" },
	{ RW_SET_KEEP, "--keep", "json:/x", "--keep: expected 1 or an absolute folder, got 'json:/x'" },
	{ RW_SET_REPORT, "--report", "report.txt",
	  "--report: expected 1, an absolute file or json:FILE, got 'report.txt'" },
	{ RW_SET_REPORT, "--report", "json:",
	  "--report: expected 1, an absolute file or json:FILE, got 'json:'" },
	{ RW_SET_REPORT, "--report", "json:r.json",
	  "--report: expected 1, an absolute file or json:FILE, got 'json:r.json'" },
	{ RW_SET_REPORT, "--report", "xml:/tmp/r",
	  "--report: expected 1, an absolute file or json:FILE, got 'xml:/tmp/r'" },
	{ RW_SET_LOG, "--log", "rw.log", "--log: expected 1 or an absolute file, got 'rw.log'" },
	{ RW_SET_LOG, "RWSHIM_LOG", "2", "RWSHIM_LOG: expected 1 or an absolute file, got '2'" },
};

START_TEST(test_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	char err[256], before[2 * PATH_MAX];

	ck_assert_int_eq(rw_config_set(&cfg, c->s, NULL, other[c->s], err, sizeof(err)), 0);
	snprintf(before, sizeof(before), "%s", show(&cfg, c->s));
	ck_assert_int_eq(rw_config_set(&cfg, c->s, c->what, c->value, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, c->msg);
	/* A bad value leaves the setting as it was. */
	ck_assert_str_eq(show(&cfg, c->s), before);
}
END_TEST

START_TEST(test_null_value)
{
	static struct rw_config fresh;
	char err[128], want[2 * PATH_MAX];

	/* NULL means "not set": back to the default. */
	rw_config_defaults(&fresh);
	snprintf(want, sizeof(want), "%s", show(&fresh, _i));
	ck_assert_int_eq(rw_config_set(&cfg, _i, NULL, other[_i], err, sizeof(err)), 0);
	ck_assert_str_ne(show(&cfg, _i), want);
	ck_assert_int_eq(rw_config_set(&cfg, _i, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(show(&cfg, _i), want);
}
END_TEST

START_TEST(test_what_default)
{
	char err[128];

	/* With no @what, messages name the variable. */
	ck_assert_int_eq(rw_config_set(&cfg, RW_SET_SCOPE, NULL, "x", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "RWSHIM_SCOPE: expected 'tree' or 'process', got 'x'");
	ck_assert_int_eq(rw_config_set(&cfg, RW_SET_COUNT, "X", "1", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "X: unknown setting");
}
END_TEST

/* Short error buffers: truncated, terminated, never overrun. */
static const size_t errlens[] = { 0, 1, 2, 10, 40 };

START_TEST(test_errlen)
{
	static const char msg[] = "--scope: expected 'tree' or 'process', got 'bogus'";
	size_t len = errlens[_i];
	char err[64];

	memset(err, 'X', sizeof(err));
	ck_assert_int_eq(rw_config_set(&cfg, RW_SET_SCOPE, "--scope", "bogus", err, len), -EINVAL);
	if (len) {
		ck_assert_uint_eq(strlen(err), len - 1);
		ck_assert_int_eq(strncmp(err, msg, len - 1), 0);
	}
	ck_assert_int_eq(err[len], 'X');
	/* No buffer at all is fine too. */
	ck_assert_int_eq(rw_config_set(&cfg, RW_SET_SCOPE, "--scope", "bogus", NULL, 0), -EINVAL);
}
END_TEST

/* A value of 100 KB for every setting: one short line that quotes 60 bytes. */
START_TEST(test_big_value)
{
	char err[256], want[128];

	memset(big, 'a', BIG);
	big[BIG] = '\0';
	ck_assert_int_eq(rw_config_set(&cfg, _i, "WHAT", big, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_int_eq(strncmp(err, "WHAT: expected ", 15), 0);
	snprintf(want, sizeof(want), ", got '%.60s'...", big);
	ck_assert_uint_gt(strlen(err), strlen(want));
	ck_assert_str_eq(err + strlen(err) - strlen(want), want);
}
END_TEST

static const struct long_case {
	enum rw_setting s;
	const char *prefix; /* put before the long path */
	size_t len, name;   /* path length, name length */
	int ok;
} long_cases[] = {
	{ RW_SET_TMPDIR, "", PATH_MAX - 1, 100, 1 },
	{ RW_SET_TMPDIR, "", PATH_MAX, 100, 0 },
	{ RW_SET_TMPDIR, "", BIG, 100, 0 },
	{ RW_SET_TMPDIR, "", 300, 256, 0 },
	{ RW_SET_TMPDIR, "", 300, 255, 1 },
	{ RW_SET_PATHS, "/usr:", PATH_MAX - 6, 100, 1 }, /* "/usr" and it fill the list */
	{ RW_SET_PATHS, "/usr:", PATH_MAX, 100, 0 },
	{ RW_SET_PATHS, "/usr:", 300, 256, 0 },
	{ RW_SET_KEEP, "", PATH_MAX, 100, 0 },
	{ RW_SET_REPORT, "json:", PATH_MAX, 100, 0 },
	{ RW_SET_REPORT, "json:", PATH_MAX - 1, 100, 1 },
	{ RW_SET_LOG, "", 300, 256, 0 },
};

START_TEST(test_long_path)
{
	const struct long_case *c = &long_cases[_i];
	size_t plen = strlen(c->prefix), i;
	char err[256];
	int r;

	memcpy(big, c->prefix, plen);
	for (i = 0; i < c->len; i++)
		big[plen + i] = (i % (c->name + 1) == 0) ? '/' : 'b';
	big[plen + c->len] = '\0';
	r = rw_config_set(&cfg, c->s, "WHAT", big, err, sizeof(err));
	if (c->ok) {
		ck_assert_int_eq(r, 0);
	} else {
		ck_assert_int_eq(r, -EINVAL);
		ck_assert_msg(strstr(err, "expected a path of at most 4095 bytes with names of "
					  "at most 255, got '") != NULL, "%s", err);
	}
}
END_TEST

/** Write @count items "/dNN" of @size bytes each, ':'-separated, into big. */
static const char *items(int count, size_t size, int dup)
{
	size_t n = 0;
	int i;

	for (i = 0; i < count; i++) {
		int k = (dup && i == count - 1) ? 0 : i;
		size_t len = (size_t)snprintf(big + n, BIG - n, "%s/d%d", i ? ":" : "", k);

		n += len;
		while (len++ < size + (i ? 1 : 0))
			big[n++] = 'x';
		big[n] = '\0';
	}
	return big;
}

static const struct list_case {
	int count;
	size_t size;
	int dup;
	int n;           /* entries kept, or -1 when refused */
	const char *msg; /* the error after "WHAT: " */
} list_cases[] = {
	{ RW_MAX_PREFIXES, 4, 0, RW_MAX_PREFIXES, NULL },
	{ RW_MAX_PREFIXES + 1, 4, 0, -1, "expected at most 32 paths, got 33" },
	{ RW_MAX_PREFIXES + 1, 4, 1, RW_MAX_PREFIXES, NULL },
	{ 100, 4, 0, -1, "expected at most 32 paths, got 100" },
	{ 16, 250, 0, 16, NULL },
	{ 17, 250, 0, -1, "expected paths of at most 4095 bytes in all, got more" },
};

START_TEST(test_list_limits)
{
	const struct list_case *c = &list_cases[_i];
	char err[256];
	int r;

	r = rw_config_set(&cfg, RW_SET_EXCLUDE, "WHAT", items(c->count, c->size, c->dup), err,
			  sizeof(err));
	if (c->n < 0) {
		ck_assert_int_eq(r, -EINVAL);
		ck_assert_str_eq(err + 6, c->msg);
		ck_assert_int_eq(cfg.exclude.n, 0);
	} else {
		ck_assert_int_eq(r, 0);
		ck_assert_int_eq(cfg.exclude.n, c->n);
		ck_assert_uint_eq(cfg.exclude.len[0], c->size);
	}
}
END_TEST

START_TEST(test_list_many_empty)
{
	char err[128];

	/* 100 KB of separators is an empty list; 100 KB of "/a:" is one entry. */
	memset(big, ':', BIG);
	big[BIG] = '\0';
	ck_assert_int_eq(rw_config_set(&cfg, RW_SET_PATHS, NULL, big, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.paths.n, 0);
	for (size_t i = 0; i + 3 <= BIG; i += 3)
		memcpy(big + i, "/a:", 3);
	ck_assert_int_eq(rw_config_set(&cfg, RW_SET_PATHS, NULL, big, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.paths.n, 1);
	ck_assert_str_eq(show(&cfg, RW_SET_PATHS), "/a");
}
END_TEST

static const struct match_case {
	const char *list, *path;
	int want;
} match_cases[] = {
	{ "/usr:/opt/x", "/usr", 1 },
	{ "/usr:/opt/x", "/usr/lib", 1 },
	{ "/usr:/opt/x", "/usrlocal", 0 },
	{ "/usr:/opt/x", "/opt/x/y", 1 },
	{ "/usr:/opt/x", "/opt", 0 },
	{ "/usr:/opt/x", "/opt/xy", 0 },
	{ "/usr:/opt/x", "/", 0 },
	{ "", "/usr", 0 },
	{ "/", "/anything/at/all", 1 },
	{ "/", "/", 1 },
	{ "/a/", "/a/b", 1 }, /* entries are normalised */
};

START_TEST(test_match)
{
	const struct match_case *c = &match_cases[_i];
	char err[128];

	ck_assert_int_eq(rw_config_set(&cfg, RW_SET_PATHS, NULL, c->list, err, sizeof(err)), 0);
	ck_assert_msg(rw_prefix_list_match(&cfg.paths, c->path, strlen(c->path)) == c->want,
		      "match(%s, %s) != %d", c->list, c->path, c->want);
}
END_TEST

#define LOOP(tc, fn, table) \
	tcase_add_loop_test(tc, fn, 0, (int)(sizeof(table) / sizeof((table)[0])))

Suite *rw_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("settings");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_defaults);
	LOOP(tc, test_env_name, name_cases);
	LOOP(tc, test_good, good_cases);
	LOOP(tc, test_bad, bad_cases);
	tcase_add_loop_test(tc, test_null_value, 0, RW_SET_COUNT);
	tcase_add_test(tc, test_what_default);
	LOOP(tc, test_errlen, errlens);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_big_value, 0, RW_SET_COUNT);
	LOOP(tc, test_long_path, long_cases);
	LOOP(tc, test_list_limits, list_cases);
	tcase_add_test(tc, test_list_many_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_checked_fixture(tc, setup, NULL);
	LOOP(tc, test_match, match_cases);
	suite_add_tcase(s, tc);
	return s;
}
