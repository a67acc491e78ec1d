/* SPDX-License-Identifier: MIT */
/*
 * fuzz_path_join - libFuzzer target for rw_path_join() (src/core/path.c),
 * the lexical normaliser every hook runs each path through.
 *
 * Input: byte 0 picks the output buffer size and whether a base folder is
 * used; the rest is "PATH" or "BASE\0PATH". Checked on every input:
 *  - the result is -ENOENT (empty path only) or -ENAMETOOLONG (only for a
 *    path of PATH_MAX bytes or more, a name over NAME_MAX, or a result that
 *    does not fit), or the length of a normalised absolute path: it starts
 *    with '/', has no "//", no "." or ".." name, no trailing '/', names of
 *    at most NAME_MAX bytes, fits the buffer, and is NUL-terminated there;
 *  - it equals a plain reference normaliser (a stack of names);
 *  - normalising the result again gives the result (idempotent), for a
 *    result shorter than PATH_MAX;
 *  - the trailing flag is set exactly when the path ends in '/', "/." or
 *    "/.." after at least one name;
 *  - nothing is written past the buffer (ASan: the buffer is a heap block
 *    of exactly the size given).
 * Build and run: scripts/fuzz (see docs/ROBUSTNESS.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/path.h"

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_path_join: " __VA_ARGS__);   \
			fprintf(stderr, "\n");                             \
			abort();                                           \
		}                                                          \
	} while (0)

/* A stack of names, each NUL-terminated in @buf. */
struct ref {
	char buf[2 * PATH_MAX + 8];
	size_t off[2 * PATH_MAX];
	size_t n, used;
};

/* Push the names of @s onto @r, "." skipped, ".." popping; -1 for a name
 * over NAME_MAX. */
static int ref_walk(struct ref *r, const char *s)
{
	const char *p = s;

	while (*p) {
		const char *c;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - c);
		if (len > NAME_MAX)
			return -1;
		if (len == 1 && c[0] == '.')
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			if (r->n) {
				r->n--;
				r->used = r->off[r->n];
			}
			continue;
		}
		r->off[r->n++] = r->used;
		memcpy(r->buf + r->used, c, len);
		r->used += len;
		r->buf[r->used++] = '\0';
	}
	return 0;
}

/* The reference result: 0 and @out, or -errno. */
static long reference(const char *base, const char *path, size_t outsz, char *out)
{
	static struct ref r;
	size_t i, n = 0;

	if (!*path)
		return -ENOENT;
	if (strnlen(path, PATH_MAX) >= PATH_MAX || outsz < 2)
		return -ENAMETOOLONG;
	if (path[0] != '/' && base) {
		/* The base alone must be a good path that fits, as itself. */
		long b = reference(NULL, base, outsz, out);
		if (b < 0)
			return b;
	}
	r.n = r.used = 0;
	if (path[0] != '/' && base && ref_walk(&r, base) < 0)
		return -ENAMETOOLONG;
	if (ref_walk(&r, path) < 0)
		return -ENAMETOOLONG;
	out[n++] = '/';
	for (i = 0; i < r.n; i++) {
		size_t len = strlen(r.buf + r.off[i]);
		if (i)
			out[n++] = '/';
		memcpy(out + n, r.buf + r.off[i], len);
		n += len;
	}
	out[n] = '\0';
	return n < outsz ? (long)n : -ENAMETOOLONG;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && !memcmp(s + n - k, suf, k);
}

static int has_name(const char *s)
{
	for (; *s; s++)
		if (*s != '/')
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 8, 64, 256, 1024, PATH_MAX, PATH_MAX + 1 };
	static char path[3 * PATH_MAX], base[3 * PATH_MAX], want[4 * PATH_MAX], again[PATH_MAX];
	size_t outsz, plen, blen = 0, i;
	const char *sep;
	int use_base, trailing = -1;
	char *out;
	long r, w;

	if (size < 1 || size > 2 * PATH_MAX + 64)
		return 0;
	outsz = sizes[data[0] % (sizeof(sizes) / sizeof(sizes[0]))];
	use_base = (data[0] >> 4) & 1;
	data++;
	size--;
	sep = use_base ? memchr(data, '\0', size) : NULL;
	if (sep) {
		blen = (size_t)((const uint8_t *)sep - data);
		memcpy(base, data, blen);
		base[blen] = '\0';
		data += blen + 1;
		size -= blen + 1;
	}
	plen = strnlen((const char *)data, size);
	memcpy(path, data, plen);
	path[plen] = '\0';

	out = malloc(outsz ? outsz : 1);
	r = rw_path_join(sep ? base : NULL, path, out, outsz, &trailing);
	w = reference(sep ? base : NULL, path, outsz, want);

	CHECK(r == w || (r < 0 && w < 0), "result %ld, reference %ld for '%s' (base '%s', size %zu)", r,
	      w, path, sep ? base : "(none)", outsz);
	CHECK(r >= 0 || r == -ENOENT || r == -ENAMETOOLONG, "unexpected error %ld", r);
	CHECK(r != -ENOENT || !*path || (sep && !*base), "ENOENT for a non-empty path '%s'", path);
	if (r >= 0) {
		CHECK((size_t)r < outsz, "length %ld does not fit size %zu", r, outsz);
		CHECK(strlen(out) == (size_t)r, "length %ld but strlen %zu", r, strlen(out));
		CHECK(!strcmp(out, want), "'%s' but reference '%s' for '%s'", out, want, path);
		CHECK(out[0] == '/', "not absolute: '%s'", out);
		CHECK(r == 1 || out[r - 1] != '/', "trailing slash: '%s'", out);
		CHECK(!strstr(out, "//"), "'//' in '%s'", out);
		for (i = 0; i < (size_t)r;) {
			size_t j = i + 1, len;
			while (j < (size_t)r && out[j] != '/')
				j++;
			len = j - i - 1;
			CHECK(len <= NAME_MAX, "name over NAME_MAX in result");
			CHECK(!(len == 1 && out[i + 1] == '.'), "'.' name in '%s'", out);
			CHECK(!(len == 2 && out[i + 1] == '.' && out[i + 2] == '.'), "'..' name in '%s'", out);
			i = j;
		}
		/* A result may reach PATH_MAX bytes when the buffer allows (a base
		 * and a relative path); only a shorter one is a path to join again. */
		if (r < PATH_MAX) {
			long r2 = rw_path_join(NULL, out, again, sizeof(again), NULL);
			CHECK(r2 == r && !strcmp(again, out), "not idempotent: '%s' -> %ld", out, r2);
		}
		CHECK(trailing ==
			      (has_name(path) && (ends_with(path, plen, "/") || ends_with(path, plen, "/.") ||
						  ends_with(path, plen, "/.."))),
		      "trailing %d for '%s'", trailing, path);
	}
	CHECK(trailing == 0 || trailing == 1, "trailing flag %d", trailing);
	free(out);
	return 0;
}
