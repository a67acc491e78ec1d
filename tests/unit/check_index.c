/* SPDX-License-Identifier: MIT */
/*
 * check_index.c - the shared Bloom index: what a lookup must find after
 * marks, what it must pass by, and how few false hits a large overlay makes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/index.h"
#include "unit.h"

static struct rw_index *ix;

static void setup(void)
{
	ix = calloc(1, sizeof(*ix));
	ck_assert_ptr_nonnull(ix);
}

static void teardown(void)
{
	free(ix);
}

static void mark(const char *p, enum rw_mark m)
{
	rw_index_mark(ix, p, strlen(p), m);
}

static int lookup(const char *p)
{
	return rw_index_lookup(ix, p, strlen(p));
}

START_TEST(empty_index_misses)
{
	ck_assert(rw_index_empty(ix));
	ck_assert_int_eq(lookup("/"), RW_INDEX_MISS);
	ck_assert_int_eq(lookup("/ro/x"), RW_INDEX_MISS);
}
END_TEST

START_TEST(entry_hits_itself_only)
{
	mark("/ro/x", RW_MARK_ENTRY);
	ck_assert(!rw_index_empty(ix));
	ck_assert_int_eq(lookup("/ro/x"), RW_INDEX_HIT);
	/* An entry does not change what lies beside or below it. */
	ck_assert_int_eq(lookup("/ro/y"), RW_INDEX_MISS);
	ck_assert_int_eq(lookup("/ro"), RW_INDEX_MISS);
	ck_assert_int_eq(lookup("/ro/x/below"), RW_INDEX_MISS);
}
END_TEST

START_TEST(shadow_hits_everything_below)
{
	mark("/ro/gone", RW_MARK_SHADOW);
	ck_assert_int_eq(lookup("/ro/gone"), RW_INDEX_HIT);
	ck_assert_int_eq(lookup("/ro/gone/a"), RW_INDEX_HIT);
	ck_assert_int_eq(lookup("/ro/gone/a/b/c"), RW_INDEX_HIT);
	/* Component boundaries: "/ro/gonely" is not below "/ro/gone". */
	ck_assert_int_eq(lookup("/ro/gonely"), RW_INDEX_MISS);
	ck_assert_int_eq(lookup("/ro"), RW_INDEX_MISS);
}
END_TEST

START_TEST(marked_and_hash_agree)
{
	uint64_t h = rw_index_hash("/a/b", 4);

	mark("/a/b/name", RW_MARK_ENTRY);
	ck_assert(rw_index_marked(ix, "/a/b/name", 9, RW_MARK_ENTRY));
	ck_assert(rw_index_marked_hash(ix, rw_index_hash_more(h, "/name", 5), RW_MARK_ENTRY));
	ck_assert(rw_index_hash_more(h, "/name", 5) == rw_index_hash("/a/b/name", 9));
	ck_assert(!rw_index_marked(ix, "/a/b/name", 9, RW_MARK_SHADOW));
}
END_TEST

/* 100,000 marked paths must leave unrelated lookups almost always missing:
 * each false hit costs a syscall, not a wrong answer. */
START_TEST(false_hits_stay_rare)
{
	char p[64];
	int i, hits = 0;

	for (i = 0; i < 100000; i++) {
		snprintf(p, sizeof(p), "/ro/data/file%06d", i);
		mark(p, RW_MARK_ENTRY);
	}
	for (i = 0; i < 100000; i++) {
		snprintf(p, sizeof(p), "/usr/share/other%06d", i);
		hits += lookup(p) == RW_INDEX_HIT;
	}
	for (i = 0; i < 100000; i += 997) {
		snprintf(p, sizeof(p), "/ro/data/file%06d", i);
		ck_assert_int_eq(lookup(p), RW_INDEX_HIT);
	}
	ck_assert_msg(hits < 1000, "%d false hits in 100000 lookups", hits);
}
END_TEST

/* The per-thread cache answers exactly as the plain lookup, before and
 * after new marks. */
START_TEST(cache_agrees_with_lookup)
{
	static const char *paths[] = { "/ro/a/x", "/ro/a/y", "/ro/a/z/w", "/ro/b/x", "/x", "/",
				       "/ro/a", "/ro/gone/f", "/ro/a/x" };
	struct rw_index_cache cache;
	size_t i, round;

	memset(&cache, 0, sizeof(cache));
	mark("/ro/a/y", RW_MARK_ENTRY);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			ck_assert_int_eq(rw_index_lookup_cached(ix, &cache, paths[i], strlen(paths[i])),
					 lookup(paths[i]));
		/* New marks must be seen at once, cached folder or not. */
		if (round == 0)
			mark("/ro/a/x", RW_MARK_ENTRY);
		if (round == 1)
			mark("/ro/gone", RW_MARK_SHADOW);
	}
	ck_assert_int_eq(rw_index_lookup_cached(ix, &cache, "/ro/gone/f", 10), RW_INDEX_HIT);
	ck_assert_int_eq(rw_index_lookup_cached(ix, &cache, "/ro/a/x", 7), RW_INDEX_HIT);
}
END_TEST

Suite *rw_suite(void)
{
	Suite *s = suite_create("index");
	TCase *tc = tcase_create("bloom");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, empty_index_misses);
	tcase_add_test(tc, entry_hits_itself_only);
	tcase_add_test(tc, shadow_hits_everything_below);
	tcase_add_test(tc, marked_and_hash_agree);
	tcase_add_test(tc, false_hits_stay_rare);
	tcase_add_test(tc, cache_agrees_with_lookup);
	suite_add_tcase(s, tc);
	return s;
}
