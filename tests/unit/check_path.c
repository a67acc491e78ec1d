/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/check_path.c - Check suite for core/path.c: lexical joining
 * and normalisation, prefix tests on component boundaries, splitting.
 * Each table row is one case; tcase_add_loop_test runs them by index.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "unit.h"
#include "core/path.h"

#define ANY -1 /* do not check *trailing */

static const struct join_case {
	const char *base, *path;
	long ret;          /* length of the result, or -errno */
	const char *out;   /* expected result when ret >= 0 */
	int trailing;      /* expected *trailing, or ANY */
} join_cases[] = {
	/* absolute paths, no base */
	{ NULL, "/", 1, "/", ANY },
	{ NULL, "//", 1, "/", ANY },
	{ NULL, "///", 1, "/", ANY },
	{ NULL, "/a", 2, "/a", 0 },
	{ NULL, "//a", 2, "/a", 0 },
	{ NULL, "/a/", 2, "/a", 1 },
	{ NULL, "/a//", 2, "/a", 1 },
	{ NULL, "//a//b", 4, "/a/b", 0 },
	{ NULL, "/a/./b", 4, "/a/b", 0 },
	{ NULL, "/./a", 2, "/a", 0 },
	{ NULL, "/a/.", 2, "/a", 1 },
	{ NULL, "/a/./", 2, "/a", 1 },
	{ NULL, "/a/..", 1, "/", 1 },
	{ NULL, "/a/../", 1, "/", 1 },
	{ NULL, "/..", 1, "/", 1 },
	{ NULL, "/../..", 1, "/", 1 },
	{ NULL, "/../a", 2, "/a", 0 },
	{ NULL, "/../../a/b", 4, "/a/b", 0 },
	{ NULL, "/a/b/../c", 4, "/a/c", 0 },
	{ NULL, "/a/b/../../..", 1, "/", 1 },
	{ NULL, "/a/b/c/../../d/./e/", 6, "/a/d/e", 1 },
	{ NULL, "/usr/lib/../lib64/./libc.so", 18, "/usr/lib64/libc.so", 0 },
	/* names that only look like dots */
	{ NULL, "/...", 4, "/...", 0 },
	{ NULL, "/.a", 3, "/.a", 0 },
	{ NULL, "/a.", 3, "/a.", 0 },
	{ NULL, "/..a/b..", 8, "/..a/b..", 0 },
	{ NULL, "/.wh.x", 6, "/.wh.x", 0 },
	/* relative paths without a base start at "/" */
	{ NULL, "a", 2, "/a", 0 },
	{ NULL, "a/../..", 1, "/", 1 },
	/* relative paths with a base */
	{ "/home/u", "x", 9, "/home/u/x", 0 },
	{ "/home/u", "./x/", 9, "/home/u/x", 1 },
	{ "/home/u", "x/y/..", 9, "/home/u/x", 1 },
	{ "/home/u", "..", 5, "/home", 0 },
	{ "/home/u", "../..", 1, "/", 1 },
	{ "/home/u", "../../../x", 2, "/x", 0 },
	{ "/home/u", ".", 7, "/home/u", 0 },
	{ "/home/u", "./", 7, "/home/u", 1 },
	{ "/home/u", "./.", 7, "/home/u", 1 },
	{ "/", "x", 2, "/x", 0 },
	{ "/", "..", 1, "/", ANY },
	{ "/home/u/", "x", 9, "/home/u/x", 0 },
	{ "//home//u/.", "x", 9, "/home/u/x", 0 },
	{ "/home/u/..", "x", 7, "/home/x", 0 },
	/* an absolute path ignores the base */
	{ "/home/u", "/etc", 4, "/etc", 0 },
	{ "/home/u", "//etc/", 4, "/etc", 1 },
	/* the empty path is ENOENT, as for the kernel */
	{ NULL, "", -ENOENT, NULL, 0 },
	{ "/home/u", "", -ENOENT, NULL, 0 },
	{ NULL, NULL, -ENOENT, NULL, 0 },
};

START_TEST(test_join)
{
	const struct join_case *c = &join_cases[_i];
	char out[PATH_MAX];
	int trailing = 42;
	long r;

	memset(out, 'X', sizeof(out));
	r = rw_path_join(c->base, c->path, out, sizeof(out), &trailing);
	ck_assert_msg(r == c->ret, "join(%s, %s) returned %ld, expected %ld",
		      c->base ? c->base : "NULL", c->path ? c->path : "NULL", r, c->ret);
	if (r >= 0) {
		ck_assert_str_eq(out, c->out);
		ck_assert_uint_eq(strlen(out), (size_t)r);
	}
	if (c->trailing != ANY)
		ck_assert_msg(trailing == c->trailing, "join(%s, %s): trailing %d, expected %d",
			      c->base ? c->base : "NULL", c->path ? c->path : "NULL", trailing,
			      c->trailing);
	/* No trailing pointer must be fine too, with the same result. */
	ck_assert_int_eq(rw_path_join(c->base, c->path, out, sizeof(out), NULL), c->ret);
}
END_TEST

/* The result must fit @outsz, its terminating NUL included, and no byte past it is written. */
static const struct fit_case {
	const char *base, *path;
	size_t outsz;
	long ret;
	const char *out;
} fit_cases[] = {
	{ NULL, "/", 0, -ENAMETOOLONG, NULL },
	{ NULL, "/", 1, -ENAMETOOLONG, NULL },
	{ NULL, "/", 2, 1, "/" },
	{ NULL, "/a", 2, -ENAMETOOLONG, NULL },
	{ NULL, "/a", 3, 2, "/a" },
	{ NULL, "/a/b", 4, -ENAMETOOLONG, NULL },
	{ NULL, "/a/b", 5, 4, "/a/b" },
	{ NULL, "/ab/cd", 6, -ENAMETOOLONG, NULL },
	{ NULL, "/ab/cd", 7, 6, "/ab/cd" },
	{ NULL, "/a/b/..", 3, 2, "/a" },
	{ "/abc", "d", 4, -ENAMETOOLONG, NULL },
	{ "/abc", "d", 6, -ENAMETOOLONG, NULL },
	{ "/abc", "d", 7, 6, "/abc/d" },
	{ "/abc", "..", 2, -ENAMETOOLONG, NULL }, /* the base itself does not fit */
	/* A name that a later ".." removes need not fit. */
	{ NULL, "/a/bbbbbbbb/..", 3, 2, "/a" },
	{ NULL, "/a/bbbbbbbb/cccccccc/../../d", 5, 4, "/a/d" },
	{ NULL, "/a/bbbbbbbb/cccccccc/../d", 5, -ENAMETOOLONG, NULL },
	{ "/a", "bbbbbbbb/../c", 5, 4, "/a/c" },
};

START_TEST(test_join_fit)
{
	const struct fit_case *c = &fit_cases[_i];
	char out[64];
	long r;

	memset(out, 'X', sizeof(out));
	r = rw_path_join(c->base, c->path, out, c->outsz, NULL);
	ck_assert_msg(r == c->ret, "join(%s, %s) in %zu bytes returned %ld, expected %ld",
		      c->base ? c->base : "NULL", c->path, c->outsz, r, c->ret);
	if (r >= 0)
		ck_assert_str_eq(out, c->out);
	ck_assert_msg(out[c->outsz] == 'X', "wrote past %zu bytes", c->outsz);
}
END_TEST

/** Fill @buf with "/" followed by names of @name bytes up to @len bytes in all. */
static char *long_path(char *buf, size_t len, size_t name)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (i % (name + 1) == 0) ? '/' : 'a';
	/* Never end in '/': that would change the expected result length. */
	if (len > 1 && buf[len - 1] == '/')
		buf[len - 1] = 'a';
	buf[len] = '\0';
	return buf;
}

/* Lengths around PATH_MAX and NAME_MAX: {total length, name length, expected}. */
static const struct long_case {
	size_t len, name;
	long ret; /* 0: the length itself */
} long_cases[] = {
	{ PATH_MAX - 1, 100, 0 },
	{ PATH_MAX, 100, -ENAMETOOLONG },
	{ PATH_MAX + 1, 100, -ENAMETOOLONG },
	{ 100 * 1024, 100, -ENAMETOOLONG },
	{ 1 + NAME_MAX, NAME_MAX, 0 },
	{ 2 + NAME_MAX, NAME_MAX + 1, -ENAMETOOLONG },
	{ 1000, NAME_MAX, 0 },
	{ 1000, NAME_MAX + 1, -ENAMETOOLONG },
};

START_TEST(test_join_long)
{
	static char path[100 * 1024 + 2], out[PATH_MAX];
	const struct long_case *c = &long_cases[_i];
	long r, want = c->ret ? c->ret : (long)c->len;

	r = rw_path_join(NULL, long_path(path, c->len, c->name), out, sizeof(out), NULL);
	ck_assert_msg(r == want, "path of %zu bytes, names of %zu: got %ld, expected %ld",
		      c->len, c->name, r, want);
	if (r >= 0)
		ck_assert_str_eq(out, path);
}
END_TEST

START_TEST(test_join_slashes)
{
	/* Slashes alone: short enough is "/", PATH_MAX or more is too long. */
	static char path[PATH_MAX + 1];
	char out[8];

	memset(path, '/', PATH_MAX - 1);
	path[PATH_MAX - 1] = '\0';
	ck_assert_int_eq(rw_path_join(NULL, path, out, sizeof(out), NULL), 1);
	ck_assert_str_eq(out, "/");
	memset(path, '/', PATH_MAX);
	path[PATH_MAX] = '\0';
	ck_assert_int_eq(rw_path_join(NULL, path, out, sizeof(out), NULL), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_join_deep_base)
{
	/* A base near PATH_MAX: a relative ".." brings a long result back in. */
	static char base[PATH_MAX], out[PATH_MAX], want[PATH_MAX];
	char rel[300];
	long r;

	long_path(base, PATH_MAX - 10, 200);
	memcpy(want, base, sizeof(want));
	memset(rel, 'b', 250);
	memcpy(rel + 250, "/..", 4);
	r = rw_path_join(base, rel, out, sizeof(out), NULL);
	ck_assert_int_eq(r, PATH_MAX - 10);
	ck_assert_str_eq(out, want);
	rel[250] = '\0';
	ck_assert_int_eq(rw_path_join(base, rel, out, sizeof(out), NULL), -ENAMETOOLONG);
}
END_TEST

static const struct prefix_case {
	const char *path, *prefix;
	int want;
} prefix_cases[] = {
	{ "/usr", "/usr", 1 },
	{ "/usr/lib", "/usr", 1 },
	{ "/usr/lib/x", "/usr", 1 },
	{ "/usrlocal", "/usr", 0 },
	{ "/usr-x/lib", "/usr", 0 },
	{ "/us", "/usr", 0 },
	{ "/", "/usr", 0 },
	{ "/usr", "/usr/lib", 0 },
	{ "/usr/li", "/usr/lib", 0 },
	{ "/usr/lib", "/usr/lib", 1 },
	{ "/", "/", 1 },
	{ "/a", "/", 1 },
	{ "/usr/lib", "/", 1 },
	{ "/proc/self/fd", "/proc", 1 },
	{ "/process", "/proc", 0 },
	{ "/a/b", "/a/b/c", 0 },
	{ "/a", "/b", 0 },
};

START_TEST(test_has_prefix)
{
	const struct prefix_case *c = &prefix_cases[_i];

	ck_assert_msg(rw_path_has_prefix(c->path, strlen(c->path), c->prefix,
					 strlen(c->prefix)) == c->want,
		      "has_prefix(%s, %s) != %d", c->path, c->prefix, c->want);
}
END_TEST

START_TEST(test_has_prefix_lengths)
{
	/* Only @len and @plen bytes count, not the terminating NUL. */
	ck_assert_int_eq(rw_path_has_prefix("/usrX", 4, "/usr", 4), 1);
	ck_assert_int_eq(rw_path_has_prefix("/usr/lib", 8, "/usr/libexec", 8), 1);
	ck_assert_int_eq(rw_path_has_prefix("/usr/lib", 4, "/usr/lib", 8), 0);
	ck_assert_int_eq(rw_path_has_prefix("/usrlocal", 9, "/usr/", 4), 0);
}
END_TEST

static const struct split_case {
	const char *path;
	size_t parent;
	const char *name;
} split_cases[] = {
	{ "/", 1, "" },
	{ "/a", 1, "a" },
	{ "/a/b", 2, "b" },
	{ "/ab/cd/efg", 6, "efg" },
	{ "/.wh.x", 1, ".wh.x" },
};

START_TEST(test_split)
{
	const struct split_case *c = &split_cases[_i];
	const char *name = NULL;
	size_t n = rw_path_split(c->path, strlen(c->path), &name);

	ck_assert_uint_eq(n, c->parent);
	ck_assert_ptr_nonnull(name);
	ck_assert_str_eq(name, c->name);
	ck_assert_ptr_eq(name, c->path + strlen(c->path) - strlen(c->name));
}
END_TEST

START_TEST(test_split_length)
{
	/* Split at @len, not at the end of the string. */
	const char *name;
	size_t n = rw_path_split("/a/b/c", 4, &name);

	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(name[0], 'b');
}
END_TEST

static const struct backstep_case {
	const char *path;
	long at;
} backstep_cases[] = {
	{ "a/../b", 2 },
	{ "/a/b/../c", 5 },
	{ "a/./..", 4 },
	{ "a//..//b", 3 },
	{ "../b", -1 },
	{ "./../../b", -1 },
	{ "/../a", -1 },
	{ "../a/..", 5 },
	{ "a/b", -1 },
	{ "a/..b/c", -1 },
	{ "a/b../c", -1 },
	{ "a/.../c", -1 },
	{ "", -1 },
	{ "/", -1 },
	{ "x/..", 2 },
};

START_TEST(test_backstep)
{
	const struct backstep_case *c = &backstep_cases[_i];

	ck_assert_msg(rw_path_backstep(c->path) == c->at, "\"%s\": %ld, want %ld", c->path,
		      rw_path_backstep(c->path), c->at);
}
END_TEST

Suite *rw_suite(void)
{
	Suite *s = suite_create("path");
	TCase *tc;

	tc = tcase_create("join");
	tcase_add_loop_test(tc, test_join, 0, (int)(sizeof(join_cases) / sizeof(join_cases[0])));
	tcase_add_loop_test(tc, test_join_fit, 0, (int)(sizeof(fit_cases) / sizeof(fit_cases[0])));
	tcase_add_loop_test(tc, test_join_long, 0,
			    (int)(sizeof(long_cases) / sizeof(long_cases[0])));
	tcase_add_test(tc, test_join_slashes);
	tcase_add_test(tc, test_join_deep_base);
	suite_add_tcase(s, tc);

	tc = tcase_create("prefix");
	tcase_add_loop_test(tc, test_has_prefix, 0,
			    (int)(sizeof(prefix_cases) / sizeof(prefix_cases[0])));
	tcase_add_test(tc, test_has_prefix_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("split");
	tcase_add_loop_test(tc, test_split, 0, (int)(sizeof(split_cases) / sizeof(split_cases[0])));
	tcase_add_test(tc, test_split_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("backstep");
	tcase_add_loop_test(tc, test_backstep, 0,
			    (int)(sizeof(backstep_cases) / sizeof(backstep_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}
