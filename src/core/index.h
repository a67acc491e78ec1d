/* SPDX-License-Identifier: MIT */
/*
 * core/index.h - the tree's shared index of what the overlay holds.
 *
 * Every process of a tree maps the same index (a small file in the session
 * folder) and consults it before touching the disk: a path whose index bits
 * are clear has nothing in the overlay, so the call passes straight through
 * at the cost of a few memory reads. The index is a Bloom filter, so it can
 * only err towards "look on disk", never towards missing an overlay entry.
 * Writers set the bits before they create the entry, so a reader that sees
 * the entry also sees the bits.
 *
 * Two kinds of marks:
 *   RW_MARK_ENTRY   the overlay holds something at this path (a file, a
 *                   folder, a whiteout);
 *   RW_MARK_SHADOW  this path changes what lies below it: a whiteout, an
 *                   opaque folder, a symlink or file in the overlay, or a
 *                   read-only symlink that a redirected write went through.
 * A lookup needs the disk only when the path has ENTRY or one of its
 * ancestors has SHADOW.
 *
 * Pure: no syscalls, no errno, no malloc. Bits are set with atomics because
 * the page is shared between processes.
 */
#ifndef RW_CORE_INDEX_H
#define RW_CORE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define RW_INDEX_MAGIC 0x6d696873u /* "shim" */
#define RW_INDEX_VERSION 2u
/* 2 Mbit (256 KiB, what one process may map and touch), 3 bits a mark:
 * a probe hits falsely 0.24% of the time at 100k marks, 1.5% at 200k (a
 * new file takes two: ENTRY and SHADOW). A false hit costs one look on disk. */
#define RW_INDEX_BITS_LOG2 21
#define RW_INDEX_WORDS ((1u << RW_INDEX_BITS_LOG2) / 64u)

enum rw_mark { RW_MARK_ENTRY = 0, RW_MARK_SHADOW = 1 };

/* Lookup results. */
#define RW_INDEX_MISS 0 /* nothing in the overlay for this path */
#define RW_INDEX_HIT 1  /* look on disk */

struct rw_index {
	uint32_t magic;
	uint32_t version;
	uint64_t entries;     /* marks added; 0 while nothing was redirected */
	uint32_t reaper_pid;  /* the process that removes the storage */
	uint32_t warned;      /* one bit per one-time warning of the tree */
	uint32_t shared;      /* session folder opened for users who changed */
	uint32_t changes;     /* bumped when what a path resolves to may change
				 for a path that exists: an overlay entry removed
				 or moved, a whiteout, an opaque folder, a link
				 marked; per-thread walk caches compare it */
	char pad[4096 - 32];
	uint64_t bits[RW_INDEX_WORDS];
};

/** Hash of the whole path @p (@len bytes). */
uint64_t rw_index_hash(const char *p, size_t len);

/** Continue hash @h over @len more bytes at @p (hash of a longer path). */
uint64_t rw_index_hash_more(uint64_t h, const char *p, size_t len);

/** Return 1 if the path whose rw_index_hash() is @h may carry @mark. */
int rw_index_marked_hash(const struct rw_index *ix, uint64_t h, enum rw_mark mark);

/** Mark @path (@len bytes, normalised) with @mark. */
void rw_index_mark(struct rw_index *ix, const char *path, size_t len, enum rw_mark mark);

/** Return 1 if @path may carry @mark (a Bloom filter test). */
int rw_index_marked(const struct rw_index *ix, const char *path, size_t len, enum rw_mark mark);

/**
 * Decide whether @path (@len bytes, normalised, absolute) may be affected by
 * the overlay: RW_INDEX_HIT when @path has ENTRY or SHADOW, or a proper
 * ancestor has SHADOW; RW_INDEX_MISS otherwise. One pass over the string.
 */
int rw_index_lookup(const struct rw_index *ix, const char *path, size_t len);

/*
 * What one thread learnt from its last lookup: folder @dir (@len bytes) and
 * all its ancestors carried no SHADOW mark while the index held @entries
 * marks, and @h is the hash of @dir. Marks are never removed and each one
 * bumps the count, so the answer holds until the count moves.
 */
struct rw_index_cache {
	uint64_t entries;
	uint64_t h;
	size_t len;
	char dir[248];
};

/**
 * rw_index_lookup() that first asks @cache (owned by the calling thread)
 * whether @path's folder is the one it knows, and remembers the folder of
 * a path that misses. Same answers, fewer hashes for runs of lookups in
 * one folder.
 */
int rw_index_lookup_cached(const struct rw_index *ix, struct rw_index_cache *cache, const char *path,
			   size_t len);

/** The count of changes (see struct rw_index), read once. */
static inline uint32_t rw_index_changes(const struct rw_index *ix)
{
	return __atomic_load_n(&ix->changes, __ATOMIC_ACQUIRE);
}

/** Note a change: every walk cache of the tree drops what it holds. */
static inline void rw_index_changed(struct rw_index *ix)
{
	__atomic_add_fetch(&ix->changes, 1, __ATOMIC_SEQ_CST);
}

/** Return 1 if nothing has been marked yet. */
static inline int rw_index_empty(const struct rw_index *ix)
{
	return __atomic_load_n(&ix->entries, __ATOMIC_ACQUIRE) == 0;
}

#endif
