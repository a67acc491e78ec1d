/* SPDX-License-Identifier: MIT */
/*
 * rw_stress - many processes and threads of one tree copying up, appending,
 * rewriting (temporary file + rename), deleting and recreating, listing and
 * reading the same read-only files at once; then every byte is checked.
 *
 *   rw_stress fill DIR                     make the lower tree (before it is
 *                                          remounted read-only)
 *   rw_stress run DIR PROCS THREADS ROUNDS run the stress, verify, print a summary
 *   rw_stress verify DIR                   check that DIR is the untouched lower
 *
 * The tree under DIR: a/000..a/099 (append files), r/000..r/049 (rewritten
 * whole through a temporary file and rename), d/000..d/049 (deleted and
 * recreated by one owner thread each) - 200 files.
 *
 * Every rewritten or recreated file is a "version": a header line
 * "V <tag> <len> <fnv64>\n" followed by <len> bytes made from <tag>, so a
 * reader can tell a whole version from a torn one. Append records are fixed
 * lines "p<P> t<T> r<R> f<F>\n", so the final check knows exactly which
 * records each append file must hold, once each, after its lower content.
 *
 * Processes: "run" forks PROCS workers. With RWSHIM_SCOPE=process each
 * worker execs itself first (a new program gets its own overlay) and checks
 * its own view at the end: only its own changes show. Otherwise the workers
 * stay forked children of one tree and the parent checks the shared view
 * after they are gone. RW_STRESS_EXEC=1 makes workers exec in tree scope too
 * (then they join the session through the environment).
 *
 * Output: "ok appends=N rewrites=N recreates=N reads=N listings=N" and exit 0,
 * or "FAIL: ..." lines on stderr and exit 1. Usage errors exit 2.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_APPEND 100
#define N_REWRITE 50
#define N_RECREATE 50
#define APPENDS_PER_ROUND 6
#define REWRITES_PER_ROUND 2
#define READS_PER_ROUND 6
#define MAX_PROCS 32
#define MAX_THREADS 32
#define LOWER_PAD 3000 /* bytes of lower content after the header line */
#define MAX_FAILS 12 /* lines printed per kind of failure */
#define REC_LEN 19 /* strlen("p00 t00 r0000 f000\n") */

static const char *top;
static int nprocs, nthreads, nrounds;
static int scope_process;

/* What kind of promise a failure breaks; "run" prints one count per kind. */
enum cat { C_WRITE, C_READ, C_LIST, C_FINAL, C_COUNT };
static const char *const cat_name[C_COUNT] = { "write", "read", "listing", "final" };
static int fails;
static int cat_fails[C_COUNT];
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(enum cat c, const char *fmt, ...)
{
	va_list ap;
	char line[1024];
	int n;

	pthread_mutex_lock(&fail_lock);
	__atomic_add_fetch(&fails, 1, __ATOMIC_RELAXED);
	if (cat_fails[c]++ < MAX_FAILS) {
		n = snprintf(line, sizeof(line), "FAIL[pid %d] %s: ", (int)getpid(), cat_name[c]);
		va_start(ap, fmt);
		vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
		va_end(ap);
		strcat(line, "\n");
		(void)!write(2, line, strlen(line));
	}
	pthread_mutex_unlock(&fail_lock);
}

/* ---- counters ---------------------------------------------------------- */

static unsigned long n_appends, n_rewrites, n_recreates, n_reads, n_listings;

static void count(unsigned long *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* ---- content ----------------------------------------------------------- */

static uint64_t fnv(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/* Body bytes of a version: printable, derived from the tag. */
static void body(const char *tag, char *out, size_t len)
{
	uint64_t s = fnv(tag, strlen(tag));
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			s = mix(s + i);
		out[i] = (char)('a' + (s >> ((i % 8) * 8)) % 26);
		if (i % 64 == 63)
			out[i] = '\n';
	}
}

/* Build a version of @tag, @len body bytes, into @buf (big enough). */
static size_t make_version(const char *tag, size_t len, char *buf)
{
	int h;

	body(tag, buf + 200, len);
	h = snprintf(buf, 200, "V %s %zu %016" PRIx64 "\n", tag, len, fnv(buf + 200, len));
	memmove(buf + h, buf + 200, len);
	return (size_t)h + len;
}

/* Check that @buf (@n bytes) is one whole version; put its tag in @tag. */
static int parse_version(const char *buf, size_t n, char *tag, size_t tagsz, const char **why)
{
	char t[128], hex[32];
	size_t len;
	uint64_t sum;
	const char *nl = memchr(buf, '\n', n < 200 ? n : 200);
	char expect[8192];

	*why = "no header line";
	if (!nl)
		return -1;
	{
		char head[200];
		memcpy(head, buf, (size_t)(nl - buf));
		head[nl - buf] = '\0';
		if (sscanf(head, "V %127s %zu %31s", t, &len, hex) != 3) {
			*why = "malformed header";
			return -1;
		}
	}
	sum = strtoull(hex, NULL, 16);
	if ((size_t)(nl + 1 - buf) + len != n) {
		*why = "wrong length (torn or mixed file)";
		return -1;
	}
	if (len > sizeof(expect) || fnv(nl + 1, len) != sum) {
		*why = "checksum mismatch (torn or mixed file)";
		return -1;
	}
	body(t, expect, len);
	if (memcmp(expect, nl + 1, len) != 0) {
		*why = "body does not match its tag";
		return -1;
	}
	snprintf(tag, tagsz, "%s", t);
	return 0;
}

static void lower_append_content(int i, char *buf, size_t *n)
{
	char tag[32];

	snprintf(tag, sizeof(tag), "lower-a%03d", i);
	*n = make_version(tag, LOWER_PAD, buf);
}

/* ---- small I/O ----------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read all of @path into @buf (@cap bytes); returns the length or -errno. */
static long read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			close(fd);
			return -EFBIG;
		}
	}
	close(fd);
	return (long)n;
}

static void path_of(char *out, char kind, int i)
{
	snprintf(out, PATH_MAX, "%s/%c/%03d", top, kind, i);
}

/* ---- the deterministic plan ------------------------------------------------ */

static int append_target(int p, int t, int r, int k)
{
	return (int)(mix(((uint64_t)p << 40) ^ ((uint64_t)t << 24) ^ ((uint64_t)r << 8) ^ (uint64_t)k) %
		     N_APPEND);
}

/* The owner (p * nthreads + t) of recreate file @i, or -1. */
static int recreate_owner(int i)
{
	int total = nprocs * nthreads;

	return i < total ? i : -1;
}

/* ---- the workers ----------------------------------------------------------- */

struct thr {
	int p, t;
	pthread_t id;
	uint64_t rng;
};

static uint64_t rnd(struct thr *th)
{
	th->rng ^= th->rng << 13;
	th->rng ^= th->rng >> 7;
	th->rng ^= th->rng << 17;
	return th->rng;
}

static void do_append(struct thr *th, int r, int k)
{
	char path[PATH_MAX], rec[64];
	int f = append_target(th->p, th->t, r, k), fd, n;

	path_of(path, 'a', f);
	n = snprintf(rec, sizeof(rec), "p%02d t%02d r%04d f%03d\n", th->p, th->t, r, f);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		fail(C_WRITE, "append: open(%s, O_WRONLY|O_APPEND): %s", path, strerror(errno));
		return;
	}
	if (write(fd, rec, (size_t)n) != n)
		fail(C_WRITE, "append: write to %s: %s", path, strerror(errno));
	if (close(fd) < 0)
		fail(C_WRITE, "append: close %s: %s", path, strerror(errno));
	count(&n_appends);
}

static void do_rewrite(struct thr *th, int r, int k)
{
	static char bufs[MAX_PROCS * MAX_THREADS][9000];
	char *buf = bufs[th->p * nthreads + th->t];
	char path[PATH_MAX], tmp[PATH_MAX], tag[64];
	int f = (int)(rnd(th) % N_REWRITE), fd;
	size_t n;

	path_of(path, 'r', f);
	snprintf(tmp, sizeof(tmp), "%s/r/.tmp.p%d.t%d.r%d.k%d", top, th->p, th->t, r, k);
	snprintf(tag, sizeof(tag), "p%d-t%d-r%d-k%d", th->p, th->t, r, k);
	n = make_version(tag, 500 + rnd(th) % 7000, buf);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		fail(C_WRITE, "rewrite: create %s: %s", tmp, strerror(errno));
		return;
	}
	if (write_all(fd, buf, n) < 0)
		fail(C_WRITE, "rewrite: write %s: %s", tmp, strerror(errno));
	close(fd);
	if (rename(tmp, path) < 0) {
		fail(C_WRITE, "rewrite: rename %s -> %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return;
	}
	count(&n_rewrites);
}

static void do_recreate(struct thr *th, int r)
{
	static char bufs[MAX_PROCS * MAX_THREADS][9000];
	char *buf = bufs[th->p * nthreads + th->t];
	static char rbufs[MAX_PROCS * MAX_THREADS][9000];
	char *rb = rbufs[th->p * nthreads + th->t];
	char path[PATH_MAX], tag[64], got[128];
	const char *why;
	struct stat st;
	int i, fd;
	long len;
	size_t n;

	for (i = 0; i < N_RECREATE; i++) {
		if (recreate_owner(i) != th->p * nthreads + th->t)
			continue;
		path_of(path, 'd', i);
		if (unlink(path) < 0) {
			fail(C_WRITE, "recreate: unlink %s (round %d): %s", path, r, strerror(errno));
			continue;
		}
		if (stat(path, &st) == 0 || errno != ENOENT)
			fail(C_WRITE, "recreate: %s still there after unlink (round %d)", path, r);
		if (unlink(path) == 0 || errno != ENOENT)
			fail(C_WRITE, "recreate: second unlink of %s did not fail with ENOENT", path);
		snprintf(tag, sizeof(tag), "d%03d-p%d-t%d-r%d", i, th->p, th->t, r);
		n = make_version(tag, 100 + rnd(th) % 3000, buf);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd < 0) {
			fail(C_WRITE, "recreate: O_CREAT|O_EXCL %s (round %d): %s", path, r, strerror(errno));
			continue;
		}
		if (write_all(fd, buf, n) < 0)
			fail(C_WRITE, "recreate: write %s: %s", path, strerror(errno));
		close(fd);
		len = read_file(path, rb, 9000);
		if (len < 0)
			fail(C_WRITE, "recreate: read back %s: %s", path, strerror((int)-len));
		else if (parse_version(rb, (size_t)len, got, sizeof(got), &why) < 0 ||
			 strcmp(got, tag))
			fail(C_WRITE, "recreate: %s read back is not what was written (%s)", path,
			     len >= 0 ? "content" : "");
		count(&n_recreates);
	}
}

static void do_reads(struct thr *th)
{
	static char bufs[MAX_PROCS * MAX_THREADS][2][9000];
	char *buf = bufs[th->p * nthreads + th->t][0];
	char path[PATH_MAX], tag[128];
	const char *why;
	int k;

	for (k = 0; k < READS_PER_ROUND; k++) {
		int kind = (int)(rnd(th) % 3), f;
		long n;

		if (kind == 0) {
			f = (int)(rnd(th) % N_REWRITE);
			path_of(path, 'r', f);
			n = read_file(path, buf, 9000);
			/* rename is atomic: the name is always there */
			if (n < 0)
				fail(C_READ, "read: %s: %s (a renamed-over file must always exist)", path,
				     strerror((int)-n));
			else if (parse_version(buf, (size_t)n, tag, sizeof(tag), &why) < 0)
				fail(C_READ, "read: %s is neither the old nor a whole new file: %s", path, why);
		} else if (kind == 1) {
			f = (int)(rnd(th) % N_RECREATE);
			path_of(path, 'd', f);
			n = read_file(path, buf, 9000);
			if (n == -ENOENT)
				; /* between unlink and create */
			else if (n < 0)
				fail(C_READ, "read: %s: %s", path, strerror((int)-n));
			else if (n > 0 && memchr(buf, '\n', (size_t)n) &&
				 parse_version(buf, (size_t)n, tag, sizeof(tag), &why) < 0) {
				/* Being written: then it must be a prefix of a version. */
				char hdr[128];
				size_t len;
				unsigned long long sum;
				if (sscanf(buf, "V %127s %zu %llx", hdr, &len, &sum) != 3)
					fail(C_READ, "read: %s has a malformed header", path);
			}
		} else {
			char lower[LOWER_PAD + 256];
			size_t ln, off;

			f = (int)(rnd(th) % N_APPEND);
			path_of(path, 'a', f);
			n = read_file(path, bufs[th->p * nthreads + th->t][1], 9000);
			if (n == -EFBIG)
				n = 9000; /* only the head matters here */
			if (n < 0) {
				fail(C_READ, "read: %s: %s", path, strerror((int)-n));
				continue;
			}
			lower_append_content(f, lower, &ln);
			if ((size_t)n < ln ||
			    memcmp(bufs[th->p * nthreads + th->t][1], lower, ln) != 0) {
				fail(C_READ, "read: %s lost its lower content (size %ld)", path, n);
				continue;
			}
			/* Every complete record line is well formed. */
			for (off = ln; off + REC_LEN <= (size_t)n; off += REC_LEN) {
				const char *l = bufs[th->p * nthreads + th->t][1] + off;
				if (l[0] != 'p' || l[REC_LEN - 1] != '\n') {
					fail(C_READ, "read: %s has a torn record at offset %zu", path, off);
					break;
				}
			}
		}
		count(&n_reads);
	}
}

/* List DIR/@kind: every expected name is there, nothing unexpected. */
static void do_listing(char kind, int expect, int in_run)
{
	char path[PATH_MAX];
	char seen[N_APPEND] = { 0 };
	enum cat lc = in_run ? C_LIST : C_FINAL;
	struct dirent *e;
	DIR *d;
	int i;

	snprintf(path, sizeof(path), "%s/%c", top, kind);
	d = opendir(path);
	if (!d) {
		fail(lc, "opendir %s: %s", path, strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		char *end;
		long v;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (in_run && kind == 'r' && !strncmp(e->d_name, ".tmp.", 5))
			continue; /* a rewrite in flight */
		v = strtol(e->d_name, &end, 10);
		if (*end || strlen(e->d_name) != 3 || v < 0 || v >= expect) {
			fail(lc, "listing %s: unexpected entry '%s'", path, e->d_name);
			continue;
		}
		/* A name renamed over or recreated while the listing runs may show
		 * twice on a plain filesystem too (POSIX leaves it open); a file
		 * that is only appended to may not. */
		if (seen[v]++ && !(in_run && kind != 'a'))
			fail(lc, "listing %s: '%s' listed twice", path, e->d_name);
	}
	closedir(d);
	for (i = 0; i < expect; i++)
		/* A recreated file is briefly absent; the others always exist
		 * (rename over a name replaces it atomically), so they show. */
		if (!seen[i] && !(in_run && kind == 'd'))
			fail(lc, "listing %s: '%03d' missing", path, i);
	count(&n_listings);
}

static void *thread_main(void *arg)
{
	struct thr *th = arg;
	int r, k;

	for (r = 0; r < nrounds; r++) {
		for (k = 0; k < APPENDS_PER_ROUND; k++)
			do_append(th, r, k);
		for (k = 0; k < REWRITES_PER_ROUND; k++)
			do_rewrite(th, r, k);
		do_recreate(th, r);
		do_reads(th);
		if ((r + th->t) % 4 == 0)
			do_listing("ard"[(r + th->t) % 3], (r + th->t) % 3 == 0 ? N_APPEND : 50, 1);
	}
	return NULL;
}

/* ---- the final check --------------------------------------------------------- */

/* Check the view once the workers are done. @only_p >= 0: only process
 * @only_p's changes may show (process scope); -1: every process's. */
static void verify(int only_p, int pristine)
{
	static char buf[1 << 22];
	char path[PATH_MAX], lower[LOWER_PAD + 256], tag[128];
	const char *why;
	size_t ln;
	int f, p, t, r, k, i;
	static unsigned char want[N_APPEND][MAX_PROCS][MAX_THREADS][64];
	long n;

	memset(want, 0, sizeof(want));
	if (!pristine)
		for (p = 0; p < nprocs; p++)
			if (only_p < 0 || p == only_p)
				for (t = 0; t < nthreads; t++)
					for (r = 0; r < nrounds; r++)
						for (k = 0; k < APPENDS_PER_ROUND; k++)
							want[append_target(p, t, r, k)][p][t][r / 8] |=
								(unsigned char)(1u << (r % 8));
	/* Append files: the lower content, then each expected record once. */
	for (f = 0; f < N_APPEND; f++) {
		size_t off;
		static unsigned char got[MAX_PROCS][MAX_THREADS][64];
		unsigned long extra = 0;

		memset(got, 0, sizeof(got));
		path_of(path, 'a', f);
		n = read_file(path, buf, sizeof(buf));
		if (n < 0) {
			fail(C_FINAL, "final: %s: %s", path, strerror((int)-n));
			continue;
		}
		lower_append_content(f, lower, &ln);
		if ((size_t)n < ln || memcmp(buf, lower, ln)) {
			fail(C_FINAL, "final: %s does not start with its lower content", path);
			continue;
		}
		if (((size_t)n - ln) % REC_LEN) {
			fail(C_FINAL, "final: %s has a partial record (size %ld)", path, n);
			continue;
		}
		for (off = ln; off < (size_t)n; off += REC_LEN) {
			int rp, rt, rr, rf;
			char nl;
			if (sscanf(buf + off, "p%2d t%2d r%4d f%3d%c", &rp, &rt, &rr, &rf, &nl) != 5 ||
			    nl != '\n' || rp < 0 || rp >= nprocs || rt < 0 || rt >= nthreads || rr < 0 ||
			    rr >= nrounds || rr >= 512 || rf != f) {
				fail(C_FINAL, "final: %s: malformed record at %zu: '%.18s'", path, off, buf + off);
				continue;
			}
			if (got[rp][rt][rr / 8] & (1u << (rr % 8)))
				{ /* a second k of one (p,t,r): counted per key below */ }
			got[rp][rt][rr / 8] |= (unsigned char)(1u << (rr % 8));
			extra++;
		}
		/* Compare record counts exactly: expected count per file. */
		{
			unsigned long expect = 0;
			if (!pristine)
				for (p = 0; p < nprocs; p++)
					if (only_p < 0 || p == only_p)
						for (t = 0; t < nthreads; t++)
							for (r = 0; r < nrounds; r++)
								for (k = 0; k < APPENDS_PER_ROUND; k++)
									expect += append_target(p, t, r, k) == f;
			if (extra != expect)
				fail(C_FINAL, "final: %s holds %lu records, expected %lu", path, extra, expect);
			if (memcmp(got, want[f], sizeof(got)))
				fail(C_FINAL, "final: %s: the set of records differs from what was appended", path);
		}
		/* Exactly-once per (p,t,r,k): records are counted per key below. */
		if (!pristine) {
			for (p = 0; p < nprocs; p++) {
				if (only_p >= 0 && p != only_p)
					continue;
				for (t = 0; t < nthreads; t++)
					for (r = 0; r < nrounds; r++) {
						int want_n = 0, got_n = 0;
						char rec[48];
						for (k = 0; k < APPENDS_PER_ROUND; k++)
							want_n += append_target(p, t, r, k) == f;
						if (!want_n)
							continue;
						snprintf(rec, sizeof(rec), "p%02d t%02d r%04d f%03d\n", p, t, r, f);
						for (off = ln; off < (size_t)n; off += REC_LEN)
							got_n += !memcmp(buf + off, rec, REC_LEN);
						if (got_n != want_n)
							fail(C_FINAL, "final: %s: record '%.18s' present %d times, appended %d",
							     path, rec, got_n, want_n);
					}
			}
		}
	}
	/* Rewritten files: one whole version each, from a writer that may show. */
	for (f = 0; f < N_REWRITE; f++) {
		path_of(path, 'r', f);
		n = read_file(path, buf, sizeof(buf));
		if (n < 0) {
			fail(C_FINAL, "final: %s: %s", path, strerror((int)-n));
			continue;
		}
		if (parse_version(buf, (size_t)n, tag, sizeof(tag), &why) < 0) {
			fail(C_FINAL, "final: %s is not one whole version: %s", path, why);
			continue;
		}
		if (!strncmp(tag, "lower-", 6)) {
			char want_tag[32];
			snprintf(want_tag, sizeof(want_tag), "lower-r%03d", f);
			if (strcmp(tag, want_tag))
				fail(C_FINAL, "final: %s holds another file's lower content (%s)", path, tag);
		} else if (pristine) {
			fail(C_FINAL, "final: %s shows a change (%s) that must not be visible here", path, tag);
		} else if (only_p >= 0 && (sscanf(tag, "p%d", &p) != 1 || p != only_p)) {
			fail(C_FINAL, "final: %s shows process %d's change in process %d's private view", path,
			     p, only_p);
		}
	}
	/* Recreated files: the owner's last version, or the lower one if unowned. */
	for (i = 0; i < N_RECREATE; i++) {
		char want_tag[64];
		int o = recreate_owner(i);

		path_of(path, 'd', i);
		n = read_file(path, buf, sizeof(buf));
		if (n < 0) {
			fail(C_FINAL, "final: %s: %s", path, strerror((int)-n));
			continue;
		}
		if (parse_version(buf, (size_t)n, tag, sizeof(tag), &why) < 0) {
			fail(C_FINAL, "final: %s is not one whole version: %s", path, why);
			continue;
		}
		if (o < 0 || pristine || (only_p >= 0 && o / nthreads != only_p))
			snprintf(want_tag, sizeof(want_tag), "lower-d%03d", i);
		else
			snprintf(want_tag, sizeof(want_tag), "d%03d-p%d-t%d-r%d", i, o / nthreads,
				 o % nthreads, nrounds - 1);
		if (strcmp(tag, want_tag))
			fail(C_FINAL, "final: %s holds version %s, expected %s", path, tag, want_tag);
	}
	/* Listings: exactly the expected names, nothing stray. */
	do_listing('a', N_APPEND, 0);
	do_listing('r', N_REWRITE, 0);
	do_listing('d', N_RECREATE, 0);
	{
		DIR *d = opendir(top);
		struct dirent *e;
		int names = 0;

		if (!d) {
			fail(C_FINAL, "opendir %s: %s", top, strerror(errno));
			return;
		}
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				if (strcmp(e->d_name, "a") && strcmp(e->d_name, "r") &&
				    strcmp(e->d_name, "d"))
					fail(C_FINAL, "listing %s: unexpected entry '%s'", top, e->d_name);
				names++;
			}
		closedir(d);
		if (names != 3)
			fail(C_FINAL, "listing %s: %d entries, expected a, r, d", top, names);
	}
}

/* ---- processes ------------------------------------------------------------ */

static void print_failures(const char *who)
{
	printf("%s failures: write=%d read=%d listing=%d final=%d\n", who, cat_fails[C_WRITE],
	       cat_fails[C_READ], cat_fails[C_LIST], cat_fails[C_FINAL]);
}

static int worker(int p, char *self)
{
	struct thr th[MAX_THREADS];
	int t, e;

	(void)self;
	for (t = 0; t < nthreads; t++) {
		th[t].p = p;
		th[t].t = t;
		th[t].rng = mix(((uint64_t)p << 32) | (uint64_t)(t + 1)) | 1;
		e = pthread_create(&th[t].id, NULL, thread_main, &th[t]);
		if (e) {
			fail(C_WRITE, "pthread_create: %s", strerror(e));
			return 1;
		}
	}
	for (t = 0; t < nthreads; t++)
		pthread_join(th[t].id, NULL);
	if (scope_process)
		verify(p, 0);
	printf("worker %d: appends=%lu rewrites=%lu recreates=%lu reads=%lu listings=%lu\n", p,
	       n_appends, n_rewrites, n_recreates, n_reads, n_listings);
	{
		char who[32];
		snprintf(who, sizeof(who), "worker %d", p);
		print_failures(who);
	}
	fflush(stdout);
	return fails ? 1 : 0;
}

static int fill(void)
{
	static char buf[16384];
	char path[PATH_MAX], tag[32];
	const char kinds[] = "ard";
	int k, i, fd;
	size_t n;

	for (k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "%s/%c", top, kinds[k]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return perror(path), 1;
		for (i = 0; i < (k == 0 ? N_APPEND : 50); i++) {
			path_of(path, kinds[k], i);
			if (k == 0) {
				lower_append_content(i, buf, &n);
			} else {
				snprintf(tag, sizeof(tag), "lower-%c%03d", kinds[k], i);
				n = make_version(tag, 200 + (size_t)i * 37, buf);
			}
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || write_all(fd, buf, n) < 0 || close(fd) < 0)
				return perror(path), 1;
		}
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: rw_stress fill DIR | run DIR PROCS THREADS ROUNDS | verify DIR\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *scope = getenv("RWSHIM_SCOPE");
	const char *ex = getenv("RW_STRESS_EXEC");
	pid_t pids[MAX_PROCS];
	int p, bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		return usage();
	top = argv[2];
	scope_process = scope && !strcmp(scope, "process");
	if (!strcmp(argv[1], "fill"))
		return fill();
	if (!strcmp(argv[1], "verify")) {
		nprocs = nthreads = nrounds = 1;
		verify(-1, 1);
		if (fails)
			return 1;
		printf("ok pristine\n");
		return 0;
	}
	if (!strcmp(argv[1], "worker") && argc == 7) {
		nprocs = atoi(argv[3]);
		nthreads = atoi(argv[4]);
		nrounds = atoi(argv[5]);
		return worker(atoi(argv[6]), argv[0]);
	}
	if (strcmp(argv[1], "run") || argc != 6)
		return usage();
	nprocs = atoi(argv[3]);
	nthreads = atoi(argv[4]);
	nrounds = atoi(argv[5]);
	if (nprocs < 1 || nprocs > MAX_PROCS || nthreads < 1 || nthreads > MAX_THREADS ||
	    nrounds < 1 || nrounds > 512)
		return usage();

	for (p = 0; p < nprocs; p++) {
		pids[p] = fork();
		if (pids[p] < 0) {
			perror("fork");
			return 1;
		}
		if (pids[p] == 0) {
			if (scope_process || (ex && !strcmp(ex, "1"))) {
				char pa[16];
				snprintf(pa, sizeof(pa), "%d", p);
				execl("/proc/self/exe", argv[0], "worker", top, argv[3], argv[4], argv[5],
				      pa, (char *)NULL);
				perror("exec");
				_exit(1);
			}
			_exit(worker(p, argv[0]));
		}
	}
	for (p = 0; p < nprocs; p++) {
		int st;
		while (waitpid(pids[p], &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "FAIL: worker %d %s %d\n", p,
				WIFEXITED(st) ? "exited with" : "died of signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			bad = 1;
		}
	}
	/* Tree scope: the one shared view holds everything. Process scope:
	 * each worker checked its own view; this process sees the lower. */
	verify(-1, scope_process);
	print_failures("main");
	if (fails || bad)
		return 1;
	{
		unsigned long T = (unsigned long)nprocs * (unsigned long)nthreads * (unsigned long)nrounds;
		int owned = N_RECREATE < nprocs * nthreads ? N_RECREATE : nprocs * nthreads;
		printf("ok procs=%d threads=%d rounds=%d appends=%lu rewrites=%lu recreates=%lu "
		       "reads=%lu verified-files=%d\n",
		       nprocs, nthreads, nrounds, T * APPENDS_PER_ROUND, T * REWRITES_PER_ROUND,
		       (unsigned long)owned * (unsigned long)nrounds, T * READS_PER_ROUND,
		       N_APPEND + N_REWRITE + N_RECREATE);
	}
	return 0;
}
