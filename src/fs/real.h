/* SPDX-License-Identifier: MIT */
/*
 * fs/real.h - pointers to the functions libc exports under the names rwshim
 * interposes (and the few more it uses), resolved once with dlsym(RTLD_NEXT).
 * The list is hook/hooks.def.
 */
#ifndef RW_FS_REAL_H
#define RW_FS_REAL_H

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define RW_FN(ret, name, params) extern ret(*real_##name) params;
#include "hook/hooks.def"
#undef RW_FN

/**
 * Resolve every real_* pointer. Safe to call more than once and from any
 * thread; a function libc lacks stays NULL. Returns 0, or -EAGAIN when called
 * again from inside an ongoing resolution (dlsym may call back into a hook).
 */
int rw_real_resolve(void);

#endif
