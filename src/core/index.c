/* SPDX-License-Identifier: MIT */
/*
 * core/index.c - the shared Bloom index (see index.h).
 * Pure: no syscalls, no errno, no malloc.
 */
#include <string.h>

#include "core/index.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static inline uint64_t fnv_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV_PRIME;
}

/* One 64-bit hash gives three 21-bit bit positions; the mark salts it. */
static inline uint64_t finish(uint64_t h, enum rw_mark mark)
{
	h ^= (uint64_t)(mark + 1) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static inline int test_bits(const struct rw_index *ix, uint64_t h)
{
	const uint64_t mask = (1u << RW_INDEX_BITS_LOG2) - 1;
	int i;

	for (i = 0; i < 3; i++) {
		uint64_t bit = (h >> (i * RW_INDEX_BITS_LOG2)) & mask;
		uint64_t w = __atomic_load_n(&ix->bits[bit / 64], __ATOMIC_RELAXED);
		if (!(w & (1ull << (bit % 64))))
			return 0;
	}
	return 1;
}

uint64_t rw_index_hash_more(uint64_t h, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		h = fnv_step(h, (unsigned char)p[i]);
	return h;
}

uint64_t rw_index_hash(const char *p, size_t len)
{
	return rw_index_hash_more(FNV_OFFSET, p, len);
}

int rw_index_marked_hash(const struct rw_index *ix, uint64_t h, enum rw_mark mark)
{
	return test_bits(ix, finish(h, mark));
}

void rw_index_mark(struct rw_index *ix, const char *path, size_t len, enum rw_mark mark)
{
	const uint64_t mask = (1u << RW_INDEX_BITS_LOG2) - 1;
	uint64_t h = finish(rw_index_hash(path, len), mark);
	int i;

	for (i = 0; i < 3; i++) {
		uint64_t bit = (h >> (i * RW_INDEX_BITS_LOG2)) & mask;
		__atomic_fetch_or(&ix->bits[bit / 64], 1ull << (bit % 64), __ATOMIC_SEQ_CST);
	}
	__atomic_fetch_add(&ix->entries, 1, __ATOMIC_SEQ_CST);
}

int rw_index_marked(const struct rw_index *ix, const char *path, size_t len, enum rw_mark mark)
{
	return test_bits(ix, finish(rw_index_hash(path, len), mark));
}

int rw_index_lookup(const struct rw_index *ix, const char *path, size_t len)
{
	uint64_t h = FNV_OFFSET;
	size_t i;

	/* Each '/' after the first character ends a proper ancestor. */
	for (i = 0; i < len; i++) {
		if (path[i] == '/' && i > 0 && test_bits(ix, finish(h, RW_MARK_SHADOW)))
			return RW_INDEX_HIT;
		h = fnv_step(h, (unsigned char)path[i]);
	}
	if (test_bits(ix, finish(h, RW_MARK_ENTRY)) || test_bits(ix, finish(h, RW_MARK_SHADOW)))
		return RW_INDEX_HIT;
	return RW_INDEX_MISS;
}

int rw_index_lookup_cached(const struct rw_index *ix, struct rw_index_cache *cache, const char *path,
			   size_t len)
{
	uint64_t entries = __atomic_load_n(&ix->entries, __ATOMIC_ACQUIRE), h;
	size_t dlen = len;
	int r;

	while (dlen > 0 && path[dlen - 1] != '/')
		dlen--;
	/* The folder, without its final '/' (the root's is ""). */
	if (dlen > 0)
		dlen--;
	if (__atomic_load_n(&cache->entries, __ATOMIC_RELAXED) == entries && cache->len == dlen &&
	    dlen < sizeof(cache->dir) &&
	    !memcmp(cache->dir, path, dlen)) {
		h = rw_index_hash_more(cache->h, path + dlen, len - dlen);
		if (test_bits(ix, finish(h, RW_MARK_ENTRY)) || test_bits(ix, finish(h, RW_MARK_SHADOW)))
			return RW_INDEX_HIT;
		return RW_INDEX_MISS;
	}
	r = rw_index_lookup(ix, path, len);
	if (r == RW_INDEX_MISS && dlen < sizeof(cache->dir)) {
		/* Every ancestor, the folder included, passed its SHADOW test.
		 * Invalidate first: a signal handler in this thread may look up
		 * while the fields change. */
		__atomic_store_n(&cache->entries, 0, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		memcpy(cache->dir, path, dlen);
		cache->len = dlen;
		cache->h = rw_index_hash(path, dlen);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		__atomic_store_n(&cache->entries, entries, __ATOMIC_RELAXED);
	}
	return r;
}
