/* SPDX-License-Identifier: MIT */
/*
 * fs/session.h - the storage of a process tree and how long it lives.
 *
 * The tree's first process makes a session folder with mkdtemp under the
 * chosen temporary folder:
 *
 *   rwshim.XXXXXX/        0700, owned by the user who started the tree;
 *                         0711 when that is root, whose tree may change user
 *     s.RANDOM/           the session proper, 0755 in a root tree; its name
 *                         is the secret that lets processes of the tree in,
 *                         whatever user they became, while others cannot list
 *                         the folder above
 *       index             the shared index (core/index.h), mapped by all
 *       upper/            the overlay, mirroring "/" (made at first redirect)
 *       work/             scratch for atomic copy-up, 01777 so a process that
 *                         changed user can copy up too
 *
 * The overlay's folders mirror the owners and modes of the originals, so the
 * kernel grants each user what a writable copy would.
 *
 * Lifetime: every process of the tree holds a shared flock(2) on the session
 * folder through an open file description of its own: the first process
 * opens one, and every other takes its own at start and in the child of each
 * fork() (reopening the folder through /proc/self/fd/N of the descriptor it
 * inherited, else by its path) and puts it on the inherited descriptor's
 * number. That number is not close-on-exec, kept high and protected from
 * close sweeps by the fd hooks. One description per process, so that no
 * process can drop the lock for the others (flock(LOCK_UN) acts on the whole
 * description): a process that became another user is not trusted with
 * root's. Until a child has its own it holds its parent's, so no moment is
 * without. A reaper process, started with the session and detached from the
 * tree, waits for an exclusive lock on its own descriptor: the kernel grants
 * it only once no shared lock is left, that is once the last process of the
 * tree has exited, by any means, SIGKILL included, since the kernel closes a
 * dead process's descriptors. Then the reaper removes the folder with
 * fs/rmtree.h, which never follows a link and stops with one line where it
 * cannot go on. A session whose reaper died with the machine has an index
 * and no lock holder: the next reaper under the same folder sweeps it.
 */
#ifndef RW_FS_SESSION_H
#define RW_FS_SESSION_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/index.h"
#include "fs/rmtree.h"

/* The names rwshim gives: rwshim.XXXXXX/s.RANDOM/index. */
#define RW_SESSION_PREFIX "rwshim."
#define RW_SECRET_PREFIX "s."
#define RW_INDEX_NAME "index"

struct rw_session {
	int fd;               /* the session folder, carrying the tree's lock */
	struct rw_index *ix;  /* the shared index, or NULL without a session */
	int ix_ro;            /* mapped read-only: another user's process in a
				 root tree, whose marks the helper sets */
	int storage;          /* 1 once upper/ and work/ exist */
	size_t len;
	char path[PATH_MAX];  /* the session proper (rwshim.XXXXXX/s.RANDOM) */
	size_t top_len;       /* the length of its parent, rwshim.XXXXXX */
	struct rw_fid top_id; /* rwshim.XXXXXX's identity, checked before removal */
	unsigned int owner;   /* uid owning the session: 0 for a root tree */
	size_t upper_len;
	char upper[PATH_MAX]; /* path + "/upper", to map storage paths back */
};

extern struct rw_session rw_sess;
extern struct rw_config rw_cfg;

/**
 * Join the tree's session named in the environment, or make a new one (and
 * its reaper) when there is none or scope is "process". Called once at start.
 * Returns 0, or -errno when no session could be had: the shim then passes
 * every call through.
 */
int rw_session_start(void);

/**
 * Make upper/ and work/ if this is the tree's first redirect. Returns 0, or
 * -errno after saying once why the storage cannot be used.
 */
int rw_session_storage(void);

/* Room for what rw_session_tmp_name() writes. */
#define RW_TMP_NAME_MAX 64

/**
 * Write to @out (RW_TMP_NAME_MAX bytes) a storage path "work/cu.PID.SALT.N" that
 * no other call of the tree uses while this one lives: where copies are
 * finished before they are renamed into place.
 */
void rw_session_tmp_name(char *out);

/**
 * Make a folder in work/ under a temporary name (written to @tmp,
 * RW_TMP_NAME_MAX bytes), to be renamed into place once finished. Root
 * gives it @like's owner and mode now; another user's stays 0700, which it
 * can still move, until rw_session_dir_placed(). Returns 0 or -errno.
 */
int rw_session_new_dir(char *tmp, const struct stat *like);

/** The second half for a folder now at storage path @rel: its mode, where
 * rw_session_new_dir() could not give it. Returns 0 or -errno. */
int rw_session_dir_placed(const char *rel, const struct stat *like);

/** Return 1 if @fd is one the session needs (the fd hooks keep it open). */
static inline int rw_session_owns_fd(int fd)
{
	return rw_sess.ix && fd == rw_sess.fd;
}

/**
 * Move the session descriptor off @fd (the program wants that number).
 * Returns 0 or -errno.
 */
int rw_session_move_fd(int fd);

#endif
