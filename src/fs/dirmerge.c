/* SPDX-License-Identifier: MIT */
/*
 * fs/dirmerge.c - merged folder listings (see dirmerge.h).
 * Slots are claimed with compare-and-swap: no lock, nothing for fork to
 * leave held. A folder listed while every slot is taken is listed
 * unmerged from its representative only, and said once.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/index.h"
#include "fs/dirmerge.h"
#include "fs/msg.h"
#include "fs/real.h"
#include "fs/session.h"
#include "rwshim.h"

#define DIR_SLOTS 256

struct dir_slot {
	DIR *dir;        /* the program's DIR: key of the slot */
	DIR *upper;      /* the overlay's stream, read first, or NULL */
	int upper_only;  /* @dir itself is in the overlay: drop whiteouts */
	int in_lower;    /* the overlay's stream is done */
	uint64_t hash;   /* index hash of the folder's virtual path */
};

static struct dir_slot slots[DIR_SLOTS];
static int slots_used;

static struct dir_slot *find_slot(DIR *dir)
{
	int i;

	if (!__atomic_load_n(&slots_used, __ATOMIC_ACQUIRE) || !dir)
		return NULL;
	for (i = 0; i < DIR_SLOTS; i++)
		if (__atomic_load_n(&slots[i].dir, __ATOMIC_ACQUIRE) == dir)
			return &slots[i];
	return NULL;
}

int rw_dir_is_merged(DIR *dir)
{
	return find_slot(dir) != NULL;
}

static int claim_slot(DIR *dir, DIR *upper, int upper_only, uint64_t hash)
{
	int i;

	for (i = 0; i < DIR_SLOTS; i++) {
		DIR *expected = NULL;
		struct dir_slot *s = &slots[i];
		if (__atomic_load_n(&s->dir, __ATOMIC_RELAXED))
			continue;
		/* Reserve with a marker so no reader matches a half-filled slot. */
		if (!__atomic_compare_exchange_n(&s->dir, &expected, (DIR *)s, 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue;
		s->upper = upper;
		s->upper_only = upper_only;
		s->in_lower = upper == NULL;
		s->hash = hash;
		__atomic_add_fetch(&slots_used, 1, __ATOMIC_ACQ_REL);
		__atomic_store_n(&s->dir, dir, __ATOMIC_RELEASE);
		return 0;
	}
	return -EMFILE;
}

DIR *rw_dir_open(const struct rw_loc *loc, int fd, int *err)
{
	char rel[PATH_MAX];
	DIR *dir = NULL, *upper = NULL;
	int ufd, own_fd = -1;

	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	ufd = real_openat(rw_sess.fd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd < 0) {
		*err = -errno;
		return NULL;
	}
	if (loc->layer == RW_MERGED) {
		if (fd < 0)
			fd = own_fd = real_openat(AT_FDCWD, loc->path,
						  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		upper = fd < 0 ? NULL : real_fdopendir(ufd);
		if (!upper)
			goto fail;
		ufd = -1;
	} else if (fd < 0) {
		fd = ufd;
		ufd = -1;
	} else {
		/* The program's descriptor is already the overlay folder. */
		real_close(ufd);
		ufd = -1;
	}
	dir = real_fdopendir(fd);
	if (!dir)
		goto fail;
	if (claim_slot(dir, upper, loc->layer != RW_MERGED,
		       rw_index_hash(loc->path, loc->len == 1 ? 0 : loc->len)) < 0) {
		rw_say_once(RW_WARN_DIRSLOTS, "too many merged folders open at once; listing one unmerged",
			    (char *)NULL);
		if (upper)
			real_closedir(upper);
	}
	return dir;
fail:
	*err = -errno;
	if (ufd >= 0)
		real_close(ufd);
	if (own_fd >= 0)
		real_close(own_fd);
	if (upper)
		real_closedir(upper);
	return NULL;
}

static int is_dot(const char *n)
{
	return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

/* glibc's struct dirent and dirent64 differ on 32-bit targets. */
static const char *entry_name(void *e, int is64)
{
	return is64 ? ((struct dirent64 *)e)->d_name : ((struct dirent *)e)->d_name;
}

static void *read_entry(DIR *d, int is64)
{
	return is64 ? (void *)real_readdir64(d) : (void *)real_readdir(d);
}

void *rw_dir_next(DIR *dir, int is64)
{
	struct dir_slot *s = find_slot(dir);
	int saved = errno;
	void *e;

	if (!s)
		return read_entry(dir, is64);
	while (!s->in_lower) {
		const char *name;
		errno = saved;
		e = read_entry(s->upper, is64);
		if (!e) {
			s->in_lower = 1;
			errno = saved;
			break;
		}
		name = entry_name(e, is64);
		/* "." and ".." come from the representative. */
		if (is_dot(name) || !strncmp(name, ".wh.", 4))
			continue;
		return e;
	}
	for (;;) {
		const char *name;
		/* End of the listing leaves errno as it was; an error sets it. */
		errno = saved;
		e = read_entry(dir, is64);
		if (!e)
			return NULL;
		name = entry_name(e, is64);
		if (s->upper_only ? !strncmp(name, ".wh.", 4)
				  : (!is_dot(name) && rw_view_name_hidden(dirfd(s->upper), s->hash, name)))
			continue;
		errno = saved;
		return e;
	}
}

void rw_dir_close(DIR *dir)
{
	struct dir_slot *s = find_slot(dir);

	if (!s)
		return;
	if (s->upper)
		real_closedir(s->upper);
	s->upper = NULL;
	__atomic_store_n(&s->dir, NULL, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&slots_used, 1, __ATOMIC_ACQ_REL);
}

void rw_dir_rewind(DIR *dir)
{
	struct dir_slot *s = find_slot(dir);

	if (s && s->upper) {
		real_rewinddir(s->upper);
		s->in_lower = 0;
	}
}
