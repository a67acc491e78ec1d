/* SPDX-License-Identifier: MIT */
/*
 * scripts/bench-storm.c - the small helper of scripts/bench (compiled by it
 * with cc into its output folder). One program, four jobs:
 *
 *   bench-storm gen DIR NDIRS PERDIR MINSIZE MAXSIZE
 *       make DIR/dNNN/fNNNNN: NDIRS folders of PERDIR files each, of sizes
 *       spread evenly (a fixed pseudo-random sequence) in [MINSIZE, MAXSIZE]
 *   bench-storm populate DIR N
 *       create N new empty files DIR/pNNNNNNN (the overlay's contents when
 *       DIR is read-only under rwshim)
 *   bench-storm storm DIR NDIRS PERDIR PASSES
 *       the pass-through metadata storm over the files gen made: for each,
 *       stat() then open(O_RDONLY) + close(); one untimed pass, then PASSES
 *       timed ones. Prints "NS_PER_CALL MAXRSS_KB" where a call is one stat
 *       or one open+close (2 calls per file), from the median timed pass
 *   bench-storm run OUTFILE CMD [ARG...]
 *       run CMD, wait for it, write "ELAPSED_NS MAXRSS_KB" to OUTFILE (the
 *       peak RSS of CMD and the descendants it waited for) and exit with
 *       CMD's status
 *
 * Every path is absolute and built before the clock starts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long maxrss_self_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "bench-storm: %s %s: %s\n", what, path ? path : "", strerror(errno));
	exit(1);
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0) {
		fprintf(stderr, "bench-storm: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

/* xorshift: the same contents and sizes on every machine. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int gen(const char *dir, long ndirs, long perdir, long minsz, long maxsz)
{
	static char buf[1 << 16];
	char path[4096];
	long d, f, i;

	for (i = 0; i < (long)sizeof(buf); i += 8) {
		uint64_t r = next_rand();
		memcpy(buf + i, &r, 8);
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("mkdir", dir);
	for (d = 0; d < ndirs; d++) {
		snprintf(path, sizeof(path), "%s/d%03ld", dir, d);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			die("mkdir", path);
		for (f = 0; f < perdir; f++) {
			long size = minsz + (maxsz > minsz ? (long)(next_rand() % (uint64_t)(maxsz - minsz + 1)) : 0);
			int fd;

			snprintf(path, sizeof(path), "%s/d%03ld/f%05ld", dir, d, f);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0)
				die("create", path);
			while (size > 0) {
				size_t off = (size_t)(next_rand() % 4096u);
				size_t n = size > (long)(sizeof(buf) - off) ? sizeof(buf) - off : (size_t)size;
				ssize_t w = write(fd, buf + off, n);
				if (w < 0)
					die("write", path);
				size -= w;
			}
			close(fd);
		}
	}
	return 0;
}

static int populate(const char *dir, long n)
{
	char path[4096];
	long i;

	for (i = 0; i < n; i++) {
		int fd;
		snprintf(path, sizeof(path), "%s/p%07ld", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			die("create", path);
		close(fd);
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int storm(const char *dir, long ndirs, long perdir, long passes)
{
	long n = ndirs * perdir, i, p;
	/* One block with a fixed stride: the same heap for every tree, whatever
	 * the length of its path (asprintf's heap use jumps at some lengths). */
	size_t stride = strlen(dir) + sizeof("/d000/f00000") + 16;
	char *block = malloc(stride * (size_t)(n ? n : 1));
	char **paths = malloc(sizeof(char *) * (size_t)(n ? n : 1));
	struct stat st;
	uint64_t t0, t1, pass_ns[64];
	double med;

	if (!paths || !block)
		die("malloc", NULL);
	for (i = 0; i < n; i++) {
		paths[i] = block + (size_t)i * stride;
		snprintf(paths[i], stride, "%s/d%03ld/f%05ld", dir, i / perdir, i % perdir);
	}
	if (passes < 1)
		passes = 1;
	if (passes > 64)
		passes = 64;
	for (p = 0; p <= passes; p++) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			int fd;
			if (stat(paths[i], &st) < 0)
				die("stat", paths[i]);
			fd = open(paths[i], O_RDONLY);
			if (fd < 0)
				die("open", paths[i]);
			close(fd);
		}
		t1 = now_ns();
		if (p > 0)
			pass_ns[p - 1] = t1 - t0;
	}
	/* The median pass: one slow pass (a noisy neighbour) does not count. */
	qsort(pass_ns, (size_t)passes, sizeof(pass_ns[0]), cmp_u64);
	med = passes % 2 ? (double)pass_ns[passes / 2]
			 : ((double)pass_ns[passes / 2 - 1] + (double)pass_ns[passes / 2]) / 2;
	printf("%.1f %ld\n", med / (double)(2 * (n ? n : 1)), maxrss_self_kb());
	return 0;
}

static int run(const char *out, char **argv)
{
	struct rusage ru;
	uint64_t t0 = now_ns(), t1;
	int status;
	pid_t pid = fork();
	FILE *f;

	if (pid < 0)
		die("fork", NULL);
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "bench-storm: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4", NULL);
	t1 = now_ns();
	f = fopen(out, "w");
	if (!f)
		die("open", out);
	fprintf(f, "%llu %ld\n", (unsigned long long)(t1 - t0), ru.ru_maxrss);
	if (fclose(f) != 0)
		die("write", out);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	if (argc >= 7 && !strcmp(argv[1], "gen"))
		return gen(argv[2], num(argv[3]), num(argv[4]), num(argv[5]), num(argv[6]));
	if (argc == 4 && !strcmp(argv[1], "populate"))
		return populate(argv[2], num(argv[3]));
	if (argc == 6 && !strcmp(argv[1], "storm"))
		return storm(argv[2], num(argv[3]), num(argv[4]), num(argv[5]));
	if (argc >= 4 && !strcmp(argv[1], "run"))
		return run(argv[2], argv + 3);
	fprintf(stderr, "usage: bench-storm gen DIR NDIRS PERDIR MINSIZE MAXSIZE\n"
			"       bench-storm populate DIR N\n"
			"       bench-storm storm DIR NDIRS PERDIR PASSES\n"
			"       bench-storm run OUTFILE CMD [ARG...]\n");
	return 2;
}
