/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config_set - libFuzzer target for rw_config_set() (src/core/config.c),
 * the one parser of every RWSHIM_* setting and option, fed any bytes.
 *
 * Input: byte 0 picks the setting (including one past the last), byte 1
 * the size of the error buffer (0..255) and whether the value is NULL; the
 * rest is the value. The config starts from the defaults, or from a
 * setting applied first ("PRE\0VALUE"). Checked on every input:
 *  - the result is 0 or -EINVAL;
 *  - the error buffer is NUL-terminated inside its size, one line of
 *    printable bytes, empty on success, never written past (ASan);
 *  - a failure leaves the whole config unchanged;
 *  - a success changes nothing but the fields of that setting, and those
 *    hold: paths absolute, normalised (idempotent under rw_path_join) and
 *    shorter than PATH_MAX; lists of at most RW_MAX_PREFIXES normalised,
 *    distinct, NUL-terminated entries inside their buffer; flags 0 or 1;
 *    a known scope;
 *  - the same value parsed twice gives the same config.
 * Build and run: scripts/fuzz (see docs/ROBUSTNESS.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/path.h"

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_config_set: " __VA_ARGS__);    \
			fprintf(stderr, "\n");                               \
			abort();                                             \
		}                                                            \
	} while (0)

static void check_path(const char *p, const char *what)
{
	static char again[PATH_MAX];
	size_t n = strnlen(p, PATH_MAX);

	CHECK(n < PATH_MAX, "%s not terminated", what);
	if (!n)
		return;
	CHECK(p[0] == '/', "%s not absolute: '%s'", what, p);
	CHECK(rw_path_join(NULL, p, again, sizeof(again), NULL) == (long)n && !strcmp(again, p),
	      "%s not normalised: '%s'", what, p);
}

static void check_list(const struct rw_prefix_list *l, const char *what)
{
	int i, j;

	CHECK(l->n >= 0 && l->n <= RW_MAX_PREFIXES, "%s: %d entries", what, l->n);
	for (i = 0; i < l->n; i++) {
		const char *e = l->buf + l->off[i];
		CHECK((size_t)l->off[i] + l->len[i] < sizeof(l->buf), "%s: entry %d outside", what, i);
		CHECK(e[l->len[i]] == '\0' && strlen(e) == l->len[i], "%s: entry %d length", what, i);
		CHECK(l->len[i] > 0, "%s: empty entry", what);
		check_path(e, what);
		for (j = 0; j < i; j++)
			CHECK(strcmp(e, l->buf + l->off[j]), "%s: duplicate '%s'", what, e);
	}
}

/* Copy the fields of setting @s from @src into @dst. */
static void copy_setting(struct rw_config *dst, const struct rw_config *src, int s)
{
	switch (s) {
	case RW_SET_TMPDIR: memcpy(dst->tmpdir, src->tmpdir, sizeof(dst->tmpdir)); break;
	case RW_SET_PATHS: dst->paths = src->paths; break;
	case RW_SET_EXCLUDE: dst->exclude = src->exclude; break;
	case RW_SET_EACCES: dst->eacces = src->eacces; break;
	case RW_SET_SCOPE: dst->scope = src->scope; break;
	case RW_SET_KEEP:
		dst->keep = src->keep;
		memcpy(dst->keep_dir, src->keep_dir, sizeof(dst->keep_dir));
		break;
	case RW_SET_REPORT:
		dst->report = src->report;
		dst->report_json = src->report_json;
		memcpy(dst->report_file, src->report_file, sizeof(dst->report_file));
		break;
	case RW_SET_LOG:
		dst->log = src->log;
		memcpy(dst->log_file, src->log_file, sizeof(dst->log_file));
		break;
	case RW_SET_AUDIT: dst->audit = src->audit; break;
	default: break;
	}
}

/* Compare the settings' values (not padding or bytes past terminators). */
static int same(const struct rw_config *a, const struct rw_config *b)
{
	int i;

	if (strcmp(a->tmpdir, b->tmpdir) || a->eacces != b->eacces || a->scope != b->scope ||
	    a->keep != b->keep || strcmp(a->keep_dir, b->keep_dir) || a->report != b->report ||
	    a->report_json != b->report_json || strcmp(a->report_file, b->report_file) ||
	    a->log != b->log || strcmp(a->log_file, b->log_file) || a->audit != b->audit ||
	    a->paths.n != b->paths.n || a->exclude.n != b->exclude.n)
		return 0;
	for (i = 0; i < a->paths.n; i++)
		if (strcmp(a->paths.buf + a->paths.off[i], b->paths.buf + b->paths.off[i]))
			return 0;
	for (i = 0; i < a->exclude.n; i++)
		if (strcmp(a->exclude.buf + a->exclude.off[i], b->exclude.buf + b->exclude.off[i]))
			return 0;
	return 1;
}

static void check_config(const struct rw_config *c)
{
	check_path(c->tmpdir, "tmpdir");
	check_list(&c->paths, "paths");
	check_list(&c->exclude, "exclude");
	CHECK(c->eacces == 0 || c->eacces == 1, "eacces %d", c->eacces);
	CHECK(c->audit == 0 || c->audit == 1, "audit %d", c->audit);
	CHECK(c->keep == 0 || c->keep == 1, "keep %d", c->keep);
	CHECK(c->report == 0 || c->report == 1, "report %d", c->report);
	CHECK(c->report_json == 0 || c->report_json == 1, "report_json %d", c->report_json);
	CHECK(c->log == 0 || c->log == 1, "log %d", c->log);
	CHECK(c->scope == RW_SCOPE_TREE || c->scope == RW_SCOPE_PROCESS, "scope %d", (int)c->scope);
	check_path(c->keep_dir, "keep_dir");
	check_path(c->report_file, "report_file");
	check_path(c->log_file, "log_file");
	CHECK(!c->report_json || c->report_file[0], "json report without a file");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rw_config c0, c1, c2;
	static char value[200000];
	int setting, pre = -1, r, r2, null_value, i;
	size_t errlen;
	char *err;
	const uint8_t *z;

	if (size < 2 || size > sizeof(value) - 1)
		return 0;
	setting = data[0] % (RW_SET_COUNT + 1);
	if (data[0] & 0x80)
		pre = (data[0] >> 4) % RW_SET_COUNT;
	errlen = data[1] & 0x7f ? (size_t)(data[1] & 0x7f) * 2 - 1 : 0;
	null_value = data[1] == 0x80;
	data += 2;
	size -= 2;
	rw_config_defaults(&c0);
	if (pre >= 0 && (z = memchr(data, '\0', size))) {
		size_t n = (size_t)(z - data);
		memcpy(value, data, n);
		value[n] = '\0';
		rw_config_set(&c0, (enum rw_setting)pre, NULL, value, NULL, 0);
		data += n + 1;
		size -= n + 1;
	}
	check_config(&c0);
	memcpy(value, data, size);
	value[size] = '\0';

	err = malloc(errlen ? errlen : 1);
	memset(err, 'Z', errlen ? errlen : 1);
	c1 = c0;
	r = rw_config_set(&c1, (enum rw_setting)setting, NULL, null_value ? NULL : value, err, errlen);
	CHECK(r == 0 || r == -EINVAL, "result %d", r);
	if (errlen) {
		size_t n = strnlen(err, errlen);
		CHECK(n < errlen, "error not terminated in %zu bytes", errlen);
		for (i = 0; i < (int)n; i++)
			CHECK(err[i] >= 0x20 && err[i] < 0x7f, "unprintable byte 0x%02x in the error",
			      (unsigned char)err[i]);
		CHECK(r < 0 || n == 0, "an error line on success: '%s'", err);
		CHECK(r == 0 || errlen < 16 || n > 0, "no error line on failure");
	}
	check_config(&c1);
	if (r < 0) {
		CHECK(same(&c0, &c1), "a failed parse changed the config");
	} else {
		c2 = c1;
		copy_setting(&c2, &c0, setting);
		CHECK(same(&c2, &c0), "setting %d changed other settings", setting);
		c2 = c0;
		r2 = rw_config_set(&c2, (enum rw_setting)setting, NULL, null_value ? NULL : value, NULL, 0);
		CHECK(r2 == 0 && same(&c1, &c2), "not deterministic");
	}
	free(err);
	return 0;
}
