/* SPDX-License-Identifier: MIT */
/*
 * fs/dirmerge.c - merged folder listings (see dirmerge.h).
 * Slots are claimed with compare-and-swap: no lock, nothing for fork to
 * leave held. A folder listed while every slot is taken is listed
 * unmerged from its representative only, and said once. The same holds for
 * the second table, of descriptors read with getdents64.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "core/index.h"
#include "fs/dirmerge.h"
#include "fs/msg.h"
#include "fs/real.h"
#include "fs/session.h"
#include "fs/store.h"
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
	RW_BUSY_SCOPE();
	char rel[PATH_MAX];
	DIR *dir = NULL, *upper = NULL;
	int ufd, own_fd = -1;

	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	ufd = rw_store_open(rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (ufd < 0) {
		*err = ufd;
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

/*
 * A name that both layers have (a copied-up file, a folder with changes
 * inside) is listed once, from the lower stream, with the type of the
 * overlay's entry: reading the overlay's stream first and hiding such names
 * from the lower one would lose a file copied up between the two reads, and
 * showing both would list it twice. Only a whiteout hides a lower name.
 */

/* Lower entry @e of a merged folder (index hash @hash, overlay folder @ufd):
 * 1 when a whiteout deletes it, else 0 with its type and (but for a
 * folder, which keeps the lower identity) inode made the overlay's when the
 * overlay replaces it. */
static int lower_entry_deleted(int ufd, uint64_t hash, struct dirent64 *e)
{
	char wh[NAME_MAX + 8];
	struct stat st;
	size_t n = strlen(e->d_name);
	uint64_t h = rw_index_hash_more(rw_index_hash_more(hash, "/", 1), e->d_name, n);

	if (!rw_index_marked_hash(rw_sess.ix, h, RW_MARK_ENTRY))
		return 0;
	if (n + 4 <= NAME_MAX) {
		memcpy(wh, ".wh.", 4);
		memcpy(wh + 4, e->d_name, n + 1);
		if (real_fstatat(ufd, wh, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return 1;
	}
	if (real_fstatat(ufd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		e->d_type = (unsigned char)IFTODT(st.st_mode);
		if (!S_ISDIR(st.st_mode))
			e->d_ino = st.st_ino;
	}
	return 0;
}

/* Whether overlay entry @name is listed from the lower stream instead: the
 * lower folder @lfd has it and no whiteout in @ufd deletes it there. */
static int upper_entry_in_lower(int ufd, int lfd, const char *name)
{
	char wh[NAME_MAX + 8];
	struct stat st;
	size_t n = strlen(name);

	if (real_fstatat(lfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (n + 4 > NAME_MAX)
		return 1;
	memcpy(wh, ".wh.", 4);
	memcpy(wh + 4, name, n + 1);
	return real_fstatat(ufd, wh, &st, AT_SYMLINK_NOFOLLOW) < 0;
}

/* On the 64-bit targets rwshim builds for, dirent64 is dirent. */
_Static_assert(sizeof(struct dirent) == sizeof(struct dirent64), "dirent64 differs from dirent");

void *rw_dir_next(DIR *dir, int is64)
{
	RW_BUSY_SCOPE();
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
		if (is_dot(name) || !strncmp(name, ".wh.", 4) ||
		    upper_entry_in_lower(dirfd(s->upper), dirfd(dir), name))
			continue;
		errno = saved;
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
				  : (!is_dot(name) &&
				     lower_entry_deleted(dirfd(s->upper), s->hash, (struct dirent64 *)e)))
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

/* ---- opening by name ----------------------------------------------------- */

DIR *rw_dir_openat(int dirfd, const char *path, int *err)
{
	RW_BUSY_SCOPE();
	struct rw_vpath vp;
	struct rw_loc loc;
	DIR *d;
	int fd, r;

	if (path && rw_view_live() && rw_view_abs(dirfd, path, &vp) == 0 &&
	    rw_view_quick(&vp) == RW_LOOK) {
		r = rw_view_resolve(&vp, RW_FOLLOW, &loc);
		if (r == 0 && loc.layer == RW_NONE)
			r = -ENOENT;
		else if (r == 0 && !S_ISDIR(loc.st.st_mode))
			r = -ENOTDIR;
		if (r < 0) {
			*err = r;
			return NULL;
		}
		if (loc.layer != RW_LOWER)
			return rw_dir_open(&loc, -1, err);
		dirfd = AT_FDCWD;
		path = loc.path;
	}
	/* What opendir does, relative to @dirfd. */
	fd = real_openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	d = real_fdopendir(fd);
	if (!d) {
		*err = -errno;
		real_close(fd);
	}
	return d;
}

/* ---- positions --------------------------------------------------------------- */

/*
 * A position in a merged listing says which stream it is in. The lower
 * stream's own positions (never negative, 0 only at its start) stand for
 * themselves; the overlay's stream, read first, gets negative ones:
 * -(P + 2) for its position P, so -1, the error of telldir, is never one.
 * 0 is the start of both, and LONG_MIN the start of the lower stream once
 * the overlay's is done (or a position of the overlay's too large to fit).
 */
long rw_dir_tell(DIR *dir)
{
	struct dir_slot *s = find_slot(dir);
	long p;

	if (!s || !s->upper)
		return real_telldir(dir);
	if (!s->in_lower) {
		p = real_telldir(s->upper);
		if (p <= 0)
			return p;
		return p > LONG_MAX - 2 ? LONG_MIN : -(p + 2);
	}
	p = real_telldir(dir);
	return p == 0 ? LONG_MIN : p;
}

void rw_dir_seek(DIR *dir, long pos)
{
	struct dir_slot *s = find_slot(dir);

	if (!s || !s->upper) {
		real_seekdir(dir, pos);
		return;
	}
	if (pos == 0 || (pos < -1 && pos != LONG_MIN)) {
		if (pos == 0)
			real_rewinddir(s->upper);
		else
			real_seekdir(s->upper, -(pos + 2));
		real_rewinddir(dir);
		s->in_lower = 0;
	} else if (pos == LONG_MIN) {
		real_rewinddir(dir);
		s->in_lower = 1;
	} else if (pos > 0) {
		real_seekdir(dir, pos);
		s->in_lower = 1;
	}
}

/* ---- descriptors read with getdents64 ------------------------------------------ */

#define FD_SLOTS 64

struct fd_slot {
	int key;        /* the program's descriptor + 1; 0 when free, -1 while
			   being filled or emptied */
	int ufd;        /* the overlay's folder, read first; -1 when the
			   descriptor is itself the overlay's folder */
	int in_lower;   /* the overlay's folder is done */
	int lower_read; /* the descriptor was read: back at 0, it started over */
	dev_t dev;      /* what the descriptor was when the slot was made */
	ino_t ino;
	uint64_t hash;  /* index hash of the folder's virtual path */
};

static struct fd_slot fd_slots[FD_SLOTS];
static int fd_slots_used;

static struct fd_slot *fd_find(int fd)
{
	int i;

	if (!__atomic_load_n(&fd_slots_used, __ATOMIC_ACQUIRE) || fd < 0)
		return NULL;
	for (i = 0; i < FD_SLOTS; i++)
		if (__atomic_load_n(&fd_slots[i].key, __ATOMIC_ACQUIRE) == fd + 1)
			return &fd_slots[i];
	return NULL;
}

/* Empty slot @s if it still has key @key. */
static void fd_release(struct fd_slot *s, int key)
{
	if (!__atomic_compare_exchange_n(&s->key, &key, -1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	if (s->ufd >= 0)
		real_close(s->ufd);
	s->ufd = -1;
	__atomic_sub_fetch(&fd_slots_used, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&s->key, 0, __ATOMIC_RELEASE);
}

void rw_dir_fd_forget(int fd)
{
	struct fd_slot *s = fd_find(fd);

	if (s)
		fd_release(s, fd + 1);
}

void rw_dir_fd_forget_range(unsigned int first, unsigned int last)
{
	int i;

	if (!__atomic_load_n(&fd_slots_used, __ATOMIC_ACQUIRE))
		return;
	for (i = 0; i < FD_SLOTS; i++) {
		int key = __atomic_load_n(&fd_slots[i].key, __ATOMIC_ACQUIRE);
		if (key > 0 && (unsigned int)(key - 1) >= first && (unsigned int)(key - 1) <= last)
			fd_release(&fd_slots[i], key);
	}
}

/* Whether @s still describes descriptor @fd: the number may have been
 * closed and given to another folder since. */
static int fd_slot_current(const struct fd_slot *s, int fd)
{
	struct stat st;

	return real_fstatat(fd, "", &st, AT_EMPTY_PATH) == 0 && st.st_dev == s->dev &&
	       st.st_ino == s->ino;
}

static struct fd_slot *fd_claim(int fd, int ufd, const struct stat *st, uint64_t hash)
{
	int i, pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < FD_SLOTS; i++) {
			struct fd_slot *s = &fd_slots[i];
			int expected = 0;
			if (!__atomic_compare_exchange_n(&s->key, &expected, -1, 0, __ATOMIC_ACQ_REL,
							 __ATOMIC_RELAXED))
				continue;
			s->ufd = ufd;
			s->in_lower = ufd < 0;
			s->lower_read = 0;
			s->dev = st->st_dev;
			s->ino = st->st_ino;
			s->hash = hash;
			__atomic_add_fetch(&fd_slots_used, 1, __ATOMIC_ACQ_REL);
			__atomic_store_n(&s->key, fd + 1, __ATOMIC_RELEASE);
			return s;
		}
		/* Full: drop the slots of descriptors closed or reused since. */
		for (i = 0; i < FD_SLOTS; i++) {
			int key = __atomic_load_n(&fd_slots[i].key, __ATOMIC_ACQUIRE);
			if (key > 0 && !fd_slot_current(&fd_slots[i], key - 1))
				fd_release(&fd_slots[i], key);
		}
	}
	return NULL;
}

/* A slot for descriptor @fd if it is a folder whose listing must be merged. */
static struct fd_slot *fd_new(int fd)
{
	char rel[PATH_MAX];
	struct rw_vpath vp;
	struct rw_loc loc;
	struct stat st;
	struct fd_slot *s;
	int ufd = -1;

	if (rw_view_abs(fd, ".", &vp) < 0 || rw_view_quick(&vp) != RW_LOOK ||
	    rw_view_resolve(&vp, RW_FOLLOW, &loc) < 0 || loc.layer == RW_NONE ||
	    !S_ISDIR(loc.st.st_mode))
		return NULL;
	/* The descriptor of a merged folder is its lower folder (rw_openat);
	 * that of a folder only the overlay has is the overlay's, whose
	 * whiteouts must go. Anything else lists as it is. */
	if (loc.layer == RW_MERGED && !vp.stored) {
		if (rw_view_upper_rel(loc.path, loc.len, rel, sizeof(rel)) < 0)
			return NULL;
		ufd = rw_store_open(rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (ufd < 0)
			return NULL;
	} else if (!vp.stored) {
		return NULL;
	}
	if (real_fstatat(fd, "", &st, AT_EMPTY_PATH) < 0) {
		if (ufd >= 0)
			real_close(ufd);
		return NULL;
	}
	s = fd_claim(fd, ufd, &st, rw_index_hash(loc.path, loc.len == 1 ? 0 : loc.len));
	if (!s) {
		rw_say_once(RW_WARN_DIRSLOTS, "too many merged folders open at once; listing one unmerged",
			    (char *)NULL);
		if (ufd >= 0)
			real_close(ufd);
	}
	return s;
}

/* Keep the records of @buf (@n bytes) that the merged listing shows, moved
 * to the front; return their length. @upper: they come from the overlay. */
static long fd_filter(const struct fd_slot *s, int fd, char *buf, long n, int upper)
{
	long in = 0, out = 0;

	while (in < n) {
		struct dirent64 *d = (struct dirent64 *)(buf + in);
		unsigned short len = d->d_reclen;
		const char *name = d->d_name;
		int keep;

		/* As rw_dir_next() decides. */
		if (upper)
			keep = !is_dot(name) && strncmp(name, ".wh.", 4) &&
			       !upper_entry_in_lower(s->ufd, fd, name);
		else if (s->ufd < 0)
			keep = strncmp(name, ".wh.", 4) != 0;
		else
			keep = is_dot(name) || !lower_entry_deleted(s->ufd, s->hash, d);
		if (keep) {
			if (out != in)
				memmove(buf + out, buf + in, len);
			out += len;
		}
		in += len;
	}
	return out;
}

static long fd_read(struct fd_slot *s, int fd, char *buf, size_t len)
{
	long n;

	for (;;) {
		if (!s->in_lower) {
			n = real_getdents64(s->ufd, buf, len);
			if (n < 0)
				return -errno;
			if (n == 0) {
				s->in_lower = 1;
				continue;
			}
			n = fd_filter(s, fd, buf, n, 1);
			if (n > 0)
				return n;
			continue;
		}
		/* The program went back to the start (lseek to 0): so do we. */
		if (s->ufd >= 0 && s->lower_read && lseek(fd, 0, SEEK_CUR) == 0) {
			lseek(s->ufd, 0, SEEK_SET);
			s->in_lower = 0;
			s->lower_read = 0;
			continue;
		}
		n = real_getdents64(fd, buf, len);
		if (n <= 0)
			return n < 0 ? -errno : 0;
		s->lower_read = 1;
		n = fd_filter(s, fd, buf, n, 0);
		if (n > 0)
			return n;
	}
}

long rw_dir_getdents(int fd, void *buf, size_t len)
{
	RW_BUSY_SCOPE();
	struct fd_slot *s;
	long n;

	if (rw_view_live()) {
		s = fd_find(fd);
		if (s && !fd_slot_current(s, fd)) {
			fd_release(s, fd + 1);
			s = NULL;
		}
		if (!s)
			s = fd_new(fd);
		if (s)
			return fd_read(s, fd, buf, len);
	}
	n = real_getdents64(fd, buf, len);
	return n < 0 ? -errno : n;
}
