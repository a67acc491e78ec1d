/* SPDX-License-Identifier: MIT */
/*
 * fs/msg.h - one-line messages on stderr, written with one write(2) each and
 * formatted on the stack, so they are safe in any hook, thread or child.
 */
#ifndef RW_FS_MSG_H
#define RW_FS_MSG_H

/* One-time warnings of a tree: each has a bit in the shared index. */
enum rw_warning {
	RW_WARN_CONFIG = 0, /* + enum rw_setting: a bad variable */
	RW_WARN_STORAGE = 16, /* storage folder unusable */
	RW_WARN_NOSPACE = 17, /* storage folder full */
	RW_WARN_SESSION = 18, /* inherited session refused */
	RW_WARN_DIRSLOTS = 19, /* merged listing table full */
	RW_WARN_HELPER = 20, /* a root tree's storage helper unreachable */
};

/** Write "rwshim: " and the NULL-terminated strings, then a newline, to stderr. */
void rw_say(const char *first, ...) __attribute__((sentinel));

/**
 * Like rw_say(), but only the first time the tree meets @which (or the first
 * time this process does, before the tree's session exists).
 */
void rw_say_once(enum rw_warning which, const char *first, ...) __attribute__((sentinel));

/** A short English description of @err that needs no locale (strerror may lock). */
const char *rw_strerror(int err);

#endif
