/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/check_escape.c - Check suite for core/escape.c: control bytes,
 * DEL and the backslash escaped so a name stays on one line; cutting at the
 * buffer's end never splits an escape.
 */
#include <string.h>

#include "unit.h"
#include "core/escape.h"

static const struct escape_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *out;
} escape_cases[] = {
	{ "", 0, "" },
	{ "plain/name.txt", 0, "plain/name.txt" },
	{ "x\nD /etc/shadow", 0, "x\\nD /etc/shadow" },
	{ "tab\there", 0, "tab\\there" },
	{ "back\\slash", 0, "back\\\\slash" },
	{ "\\n", 0, "\\\\n" }, /* a real backslash-n reads back as itself */
	{ "cr\r", 0, "cr\\x0d" },
	{ "esc\033[31m", 0, "esc\\x1b[31m" },
	{ "del\177", 0, "del\\x7f" },
	{ "\001\037", 0, "\\x01\\x1f" },
	{ "nul\0in", 6, "nul\\x00in" },
	{ " ~", 0, " ~" }, /* 0x20 and 0x7e are printable */
	{ "\200\377utf8 \303\251", 0, "\200\377utf8 \303\251" }, /* high bytes pass */
};

START_TEST(test_escape)
{
	const struct escape_case *c = &escape_cases[_i];
	size_t len = c->len ? c->len : strlen(c->in);
	char out[64];
	size_t r;

	memset(out, 'Z', sizeof(out));
	r = rw_escape(out, sizeof(out), c->in, len);
	ck_assert_uint_eq(r, strlen(c->out));
	ck_assert_str_eq(out, c->out);
	ck_assert_uint_eq(rw_escape_len(c->in, len), strlen(c->out));
	ck_assert_ptr_null(memchr(out, '\n', strlen(out)));
}
END_TEST

static const struct cut_case {
	const char *in;
	size_t size;
	const char *out;
	size_t ret;
} cut_cases[] = {
	{ "abc", 4, "abc", 3 },
	{ "abc", 3, "ab", 3 },
	{ "a\nb", 3, "a", 4 },    /* "\n" does not fit after "a": left off whole */
	{ "a\nb", 4, "a\\n", 4 },
	{ "\001", 4, "", 4 },     /* "\x01" needs 5 bytes with the NUL */
	{ "\001", 5, "\\x01", 4 },
	{ "\001z", 5, "\\x01", 5 }, /* once cut, nothing after it is written */
	{ "abc", 1, "", 3 },
};

START_TEST(test_cut)
{
	const struct cut_case *c = &cut_cases[_i];
	char out[16];

	memset(out, 'Z', sizeof(out));
	ck_assert_uint_eq(rw_escape(out, c->size, c->in, strlen(c->in)), c->ret);
	ck_assert_str_eq(out, c->out);
	ck_assert_int_eq(out[c->size], 'Z'); /* nothing past the buffer */
}
END_TEST

START_TEST(test_no_buffer)
{
	char out = 'Z';

	ck_assert_uint_eq(rw_escape(&out, 0, "a\nb", 3), 4);
	ck_assert_int_eq(out, 'Z');
}
END_TEST

Suite *rw_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("escape");

	tcase_add_loop_test(tc, test_escape, 0, (int)(sizeof(escape_cases) / sizeof(escape_cases[0])));
	tcase_add_loop_test(tc, test_cut, 0, (int)(sizeof(cut_cases) / sizeof(cut_cases[0])));
	tcase_add_test(tc, test_no_buffer);
	suite_add_tcase(s, tc);
	return s;
}
