/* SPDX-License-Identifier: MIT */
/*
 * rwshim.h - project-wide macros shared by every layer.
 * No declarations of logic live here.
 */
#ifndef RWSHIM_H
#define RWSHIM_H

#define RW_EXPORT __attribute__((visibility("default")))
#define RW_HIDDEN __attribute__((visibility("hidden")))
#define RW_UNUSED __attribute__((unused))
#define rw_likely(x) __builtin_expect(!!(x), 1)
#define rw_unlikely(x) __builtin_expect(!!(x), 0)
#define RW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Environment variables: the command sets them, the library reads them. */
#define RWSHIM_ENV_TMPDIR "RWSHIM_TMPDIR"
#define RWSHIM_ENV_PATHS "RWSHIM_PATHS"
#define RWSHIM_ENV_EXCLUDE "RWSHIM_EXCLUDE"
#define RWSHIM_ENV_EACCES "RWSHIM_EACCES"
#define RWSHIM_ENV_SCOPE "RWSHIM_SCOPE"
#define RWSHIM_ENV_KEEP "RWSHIM_KEEP"
#define RWSHIM_ENV_REPORT "RWSHIM_REPORT"
#define RWSHIM_ENV_LOG "RWSHIM_LOG"
#define RWSHIM_ENV_AUDIT "RWSHIM_AUDIT"
/* Internal: the session of the tree, "FD:PATH"; set by the tree's first process. */
#define RWSHIM_ENV_SESSION "RWSHIM_SESSION"

#endif
