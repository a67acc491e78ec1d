/* SPDX-License-Identifier: MIT */
/*
 * core/config.h - the settings of rwshim and their one parser.
 * Pure: no syscalls, no errno, no malloc. Both the library (reading the
 * environment once at start) and the command (validating its options before
 * it exports them) use rw_config_set(), so a value means the same to both.
 */
#ifndef RW_CORE_CONFIG_H
#define RW_CORE_CONFIG_H

#include <limits.h>
#include <stddef.h>

#define RW_MAX_PREFIXES 32

/* A list of normalised absolute paths, stored in one fixed buffer. */
struct rw_prefix_list {
	int n;
	unsigned short off[RW_MAX_PREFIXES];
	unsigned short len[RW_MAX_PREFIXES];
	char buf[PATH_MAX];
};

enum rw_scope { RW_SCOPE_TREE, RW_SCOPE_PROCESS };

/* Each setting, in the order of the README's table of options. */
enum rw_setting {
	RW_SET_TMPDIR,
	RW_SET_PATHS,
	RW_SET_EXCLUDE,
	RW_SET_EACCES,
	RW_SET_SCOPE,
	RW_SET_KEEP,
	RW_SET_REPORT,
	RW_SET_LOG,
	RW_SET_AUDIT,
	RW_SET_COUNT
};

struct rw_config {
	char tmpdir[PATH_MAX]; /* "" when not set: the library picks $TMPDIR, /tmp */
	struct rw_prefix_list paths;   /* protected: read-only even where writable */
	struct rw_prefix_list exclude; /* never redirected (besides /proc /sys /dev) */
	int eacces;                    /* also redirect EACCES/EPERM */
	enum rw_scope scope;
	int keep;                      /* keep the overlay after exit */
	char keep_dir[PATH_MAX];       /* where, or "" for "leave it where it is" */
	int report;                    /* print a change report at exit */
	int report_json;               /* report as JSON */
	char report_file[PATH_MAX];    /* "" for stderr */
	int log;                       /* log each redirected call */
	char log_file[PATH_MAX];       /* "" for stderr */
	int audit;                     /* redirect nothing, log refused writes */
};

/** Environment variable name of @setting ("RWSHIM_SCOPE"). */
const char *rw_config_env_name(enum rw_setting setting);

/** Set every field of @c to its default. */
void rw_config_defaults(struct rw_config *c);

/**
 * Parse @value for @setting into @c. @what names the setting in messages
 * (the variable name, or the command's option such as "--scope").
 * Returns 0, or -EINVAL with one line (no newline, no "rwshim:" prefix) in
 * @err saying what was expected; @c is then unchanged for that setting.
 */
int rw_config_set(struct rw_config *c, enum rw_setting setting, const char *what,
		  const char *value, char *err, size_t errlen);

/** Return 1 if @path (normalised, absolute, @len bytes) lies in @list. */
int rw_prefix_list_match(const struct rw_prefix_list *list, const char *path, size_t len);

/**
 * Whether a folder of owner @owner and mode @mode is unsafe to hold the
 * storage of user @me: another user could move what is in it (rename the
 * session folder away and put one of the victim's own in its place), for
 * it is writable by others without the sticky bit, or it is another
 * non-root user's. Returns 1 when unsafe.
 */
int rw_tmpdir_unsafe(unsigned int owner, unsigned int mode, unsigned int me);

/* The reason rw_tmpdir_unsafe() gives, for messages. */
#define RW_TMPDIR_UNSAFE_WHY "writable by other users without the sticky bit, or another user's"


#endif
