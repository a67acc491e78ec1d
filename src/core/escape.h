/* SPDX-License-Identifier: MIT */
/*
 * core/escape.h - making a name safe to print on one line. File names may
 * hold any byte but '/' and NUL; one holding a newline would otherwise
 * forge a whole line in a log or a report ("x\nD /etc/shadow").
 */
#ifndef RW_CORE_ESCAPE_H
#define RW_CORE_ESCAPE_H

#include <stddef.h>

/**
 * Write @in (@len bytes) to @out (@size bytes; NUL-terminated when @size
 * is not 0), with each byte below 0x20, 0x7f and the backslash written as
 * \n, \t, \\ or \xHH (two lower-case hex digits), so that the text stays on
 * one line and reads back without doubt. An escape is never cut in two:
 * what does not fit is left off whole.
 * Returns the length of the whole escaped text, as snprintf does: a result
 * of @size or more means it was cut.
 */
size_t rw_escape(char *out, size_t size, const char *in, size_t len);

/** The length of the escape of @in (@len bytes), without the NUL. */
size_t rw_escape_len(const char *in, size_t len);

#endif
