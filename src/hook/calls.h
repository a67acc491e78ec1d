/* SPDX-License-Identifier: MIT */
/*
 * hook/calls.h - the canonical implementations of the walker, listing, name,
 * working-folder and raw-call families, for the hooks of other files to call
 * (syscall() routes to them). Each returns a value or -errno and leaves errno
 * alone, as the ones in hook.h do.
 */
#ifndef RW_HOOK_CALLS_H
#define RW_HOOK_CALLS_H

#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * realpath, glob, glob64, nftw and nftw64 exist twice in glibc for x86_64:
 * a GLIBC_2.2.5 version old binaries are bound to, and the default one.
 * rwshim exports both (RW_SYMVER names the version of a definition; the
 * version nodes are in hook/versions.map, which also keeps the rw_sv_*
 * implementation names local), so that an old binary keeps the old
 * behaviour. Elsewhere (aarch64 starts at GLIBC_2.17, with one version of
 * each but glob) rwshim exports the plain names only.
 */
#if defined(__x86_64__) && defined(__GLIBC__)
#define RW_OLD_GLIBC "GLIBC_2.2.5"
#define RW_SYMVER(impl, sym) __asm__(".symver " #impl "," sym)
#endif

/** Fill the getdents64 buffer @buf from descriptor @fd, merged. */
long rw_getdents64(int fd, void *buf, size_t len);

/** chdir() through the merged view. */
int rw_chdir(const char *path);

/** Tell the working folder changed behind the cwd cache (fchdir). */
void rw_cwd_forget(void);

/**
 * getcwd() into @buf (@size bytes, both non-zero), mapped back from the
 * storage. Returns the length without the NUL, or -errno.
 */
long rw_getcwd(char *buf, size_t size);

/**
 * The device @st counts as for FTW_MOUNT and FTS_XDEV: an entry the overlay
 * holds lies on the storage's device, but belongs to the folder around it,
 * whose device is @parent.
 */
dev_t rw_walk_dev(const struct stat *st, dev_t parent);

#ifdef RW_OLD_GLIBC
/**
 * The @ver version of libc's @name, looked up once into *@cache (NULL when
 * libc has no such version). For the pass-through of multi-version symbols.
 */
static inline void *rw_real_version(const char *name, const char *ver, void **cache)
{
	void *p = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (!p) {
		p = dlvsym(RTLD_NEXT, name, ver);
		__atomic_store_n(cache, p, __ATOMIC_RELEASE);
	}
	return p;
}
#endif

#endif
