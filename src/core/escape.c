/* SPDX-License-Identifier: MIT */
/*
 * core/escape.c - escaping control bytes for one-line output (see escape.h).
 */
#include <string.h>

#include "core/escape.h"

/* The escape of @c in @buf (at most 4 bytes); returns its length. */
static size_t escape_byte(unsigned char c, char *buf)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\' || c == '\n' || c == '\t') {
		buf[0] = '\\';
		buf[1] = c == '\\' ? '\\' : c == '\n' ? 'n' : 't';
		return 2;
	}
	if (c < 0x20 || c == 0x7f) {
		buf[0] = '\\';
		buf[1] = 'x';
		buf[2] = hex[c >> 4];
		buf[3] = hex[c & 15];
		return 4;
	}
	buf[0] = (char)c;
	return 1;
}

size_t rw_escape(char *out, size_t size, const char *in, size_t len)
{
	size_t i, n = 0, total = 0;
	int full = size == 0;
	char buf[4];

	for (i = 0; i < len; i++) {
		size_t k = escape_byte((unsigned char)in[i], buf);

		if (!full && n + k < size) {
			memcpy(out + n, buf, k);
			n += k;
		} else {
			full = 1;
		}
		total += k;
	}
	if (size)
		out[n] = '\0';
	return total;
}

size_t rw_escape_len(const char *in, size_t len)
{
	return rw_escape(NULL, 0, in, len);
}
