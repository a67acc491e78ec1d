/* SPDX-License-Identifier: MIT */
/*
 * hook/special.c - fifos, device nodes and unix sockets through the merged
 * view: mkfifo and mknod in all their spellings funnel into rw_mknodat();
 * bind() of a socket path that the real filesystem refuses makes the socket
 * in the overlay, connect() finds the sockets the overlay holds, and
 * getsockname/getpeername give the paths the program knows. Abstract and
 * unnamed addresses and other families pass through untouched.
 *
 * A socket in the overlay is bound by a name under /proc/self/fd (sun_path
 * holds only 108 bytes): "/proc/self/fd/SESSION/upper/PATH" where it fits,
 * else "/proc/self/fd/PARENT/NAME" through a descriptor of its folder. The
 * kernel keeps that string as the socket's name: the first form maps back
 * to PATH anywhere, and each process keeps a small table of the names it
 * bound, so that getsockname() gives back exactly what bind() was given.
 */
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "fs/session.h"
#include "fs/store.h"
#include "fs/view.h"
#include "hook/create.h"
#include "hook/hook.h"

/* ---- mknod and mkfifo -------------------------------------------------------- */

struct node_arg {
	mode_t mode;
	dev_t dev;
};

/* Set while this thread is in the next library's mknodat: fakeroot's calls
 * __xmknodat by name, which must then not come back through rwshim. */
static __thread int in_real_mknod __attribute__((tls_model("initial-exec")));

static int make_node(int dirfd, const char *path, const struct rw_loc *upper, void *arg)
{
	const struct node_arg *a = arg;
	int r;

	(void)upper;
	in_real_mknod++;
	r = RW_REAL(mknodat, (int)syscall(SYS_mknodat, dirfd, path, a->mode, (unsigned int)a->dev),
		    dirfd, path, a->mode, a->dev);
	in_real_mknod--;
	return r < 0 ? -errno : 0;
}

int rw_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	struct node_arg a = { mode, dev };

	/* The kernel checks the type before it looks at the name. */
	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	return rw_make_at("mknod", dirfd, path, 0, make_node, &a);
}

RW_EXPORT int mknod(const char *path, mode_t mode, dev_t dev)
{
	int saved = errno;
	return rw_ret(rw_mknodat(AT_FDCWD, path, mode, dev), saved);
}

RW_EXPORT int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	int saved = errno;
	return rw_ret(rw_mknodat(dirfd, path, mode, dev), saved);
}

RW_EXPORT int mkfifo(const char *path, mode_t mode)
{
	int saved = errno;
	return rw_ret(rw_mknodat(AT_FDCWD, path, (mode & 07777) | S_IFIFO, 0), saved);
}

RW_EXPORT int mkfifoat(int dirfd, const char *path, mode_t mode)
{
	int saved = errno;
	return rw_ret(rw_mknodat(dirfd, path, (mode & 07777) | S_IFIFO, 0), saved);
}

/* The pre-2.33 entry points old binaries still call; @ver is always 0 on
 * the 64-bit targets rwshim builds for. Reached from inside the next
 * library's mknodat, they do what libc's do: the system call. */
RW_EXPORT int __xmknod(int ver, const char *path, mode_t mode, dev_t *dev)
{
	int saved = errno;
	(void)ver;
	if (in_real_mknod)
		return (int)syscall(SYS_mknodat, AT_FDCWD, path, mode, (unsigned int)*dev);
	return rw_ret(rw_mknodat(AT_FDCWD, path, mode, *dev), saved);
}

RW_EXPORT int __xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev)
{
	int saved = errno;
	(void)ver;
	if (in_real_mknod)
		return (int)syscall(SYS_mknodat, dirfd, path, mode, (unsigned int)*dev);
	return rw_ret(rw_mknodat(dirfd, path, mode, *dev), saved);
}

/* ---- the names of sockets bound in the overlay ------------------------------- */

#define SUN_LEN_MAX sizeof(((struct sockaddr_un *)0)->sun_path)
#define BOUND_SLOTS 32

/* What the kernel was given (@bound) for what the program gave (@asked).
 * A slot's sequence is odd while it is written: readers retry or skip. */
static struct {
	unsigned int seq;
	char bound[SUN_LEN_MAX + 1];
	char asked[SUN_LEN_MAX + 1];
} bound_names[BOUND_SLOTS];
static unsigned int bound_next;

static void remember_bound(const char *bound, const char *asked)
{
	unsigned int i = __atomic_fetch_add(&bound_next, 1, __ATOMIC_ACQ_REL) % BOUND_SLOTS;
	unsigned int seq = __atomic_load_n(&bound_names[i].seq, __ATOMIC_ACQUIRE);

	/* Another thread writes this very slot: this name maps back less well. */
	if ((seq & 1) || !__atomic_compare_exchange_n(&bound_names[i].seq, &seq, seq + 1, 0,
						      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	memcpy(bound_names[i].bound, bound, strlen(bound) + 1);
	memcpy(bound_names[i].asked, asked, strlen(asked) + 1);
	__atomic_store_n(&bound_names[i].seq, seq + 2, __ATOMIC_RELEASE);
}

/* Copy the name the program asked for in place of @path, newest first.
 * Returns 1 when found. */
static int recall_bound(char *path)
{
	unsigned int next = __atomic_load_n(&bound_next, __ATOMIC_ACQUIRE), k;
	char asked[SUN_LEN_MAX + 1];

	for (k = 1; k <= BOUND_SLOTS && k <= next; k++) {
		unsigned int i = (next - k) % BOUND_SLOTS;
		unsigned int seq = __atomic_load_n(&bound_names[i].seq, __ATOMIC_ACQUIRE);
		int same;

		if (seq == 0 || (seq & 1))
			continue;
		same = !strncmp(bound_names[i].bound, path, SUN_LEN_MAX);
		memcpy(asked, bound_names[i].asked, sizeof(asked));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&bound_names[i].seq, __ATOMIC_RELAXED) != seq || !same)
			continue;
		asked[SUN_LEN_MAX] = '\0';
		memcpy(path, asked, strlen(asked) + 1);
		return 1;
	}
	return 0;
}

/* Map a socket name the kernel gave back (NUL-terminated, in a buffer of
 * SUN_LEN_MAX + 1 bytes) to the path the program knows, in place. */
static void unmap_name(char *path)
{
	static const char head[] = "/proc/self/fd/";
	const char *p = path + sizeof(head) - 1;

	if (path[0] != '/' || recall_bound(path))
		return;
	if (!strncmp(path, head, sizeof(head) - 1)) {
		while (*p >= '0' && *p <= '9')
			p++;
		if (p > path + sizeof(head) - 1 && !strncmp(p, "/upper", 6) &&
		    (p[6] == '/' || !p[6])) {
			p += 6;
			memmove(path, *p ? p : "/", strlen(*p ? p : "/") + 1);
		}
		return;
	}
	rw_view_unmap(path, strlen(path));
}

/* ---- bind and connect -------------------------------------------------------- */

typedef int (*sock_fn)(int, const struct sockaddr *, socklen_t);

/* The path of unix socket address @addr, copied into @path (SUN_LEN_MAX + 1
 * bytes); NULL for any other address, and for one the kernel refuses. */
static const char *unix_path(const struct sockaddr *addr, socklen_t len, char *path)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
	size_t n;

	if (!addr || len <= offsetof(struct sockaddr_un, sun_path) ||
	    len > sizeof(struct sockaddr_un) || addr->sa_family != AF_UNIX || !un->sun_path[0])
		return NULL;
	n = strnlen(un->sun_path, len - offsetof(struct sockaddr_un, sun_path));
	memcpy(path, un->sun_path, n);
	path[n] = '\0';
	return path;
}

/* Call @fn on socket @sock with address path @path. */
static int sock_path(sock_fn fn, int sock, const char *path)
{
	struct sockaddr_un un;
	size_t n = strlen(path);

	if (n >= SUN_LEN_MAX)
		return -ENAMETOOLONG;
	memset(&un, 0, offsetof(struct sockaddr_un, sun_path));
	un.sun_family = AF_UNIX;
	memcpy(un.sun_path, path, n + 1);
	if (fn(sock, (const struct sockaddr *)&un,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1)) < 0)
		return -errno;
	return 0;
}

/* Call @fn on @sock for storage entry @rel, which is @name in storage folder
 * @dirfd (from rw_store_dir()); the name used goes into @used (SUN_LEN_MAX
 * + 1 bytes). The name through the session descriptor is the one every
 * process of the tree maps back to the program's path (a peer's address,
 * getsockname), but it lets the kernel walk the folders on the way: only
 * where nobody but this user and root can change them. Elsewhere the
 * folder's own descriptor names it. */
static int sock_upper(sock_fn fn, int sock, const char *rel, int dirfd, const char *name,
		      char *used)
{
	char at[PATH_MAX];
	long n = -1;

	if (rw_store_trusted(rel))
		n = rw_at_name(rw_sess.fd, rel, at, sizeof(at));
	if (n < 0 || (size_t)n >= SUN_LEN_MAX)
		n = rw_store_fd_name(dirfd, name, at, sizeof(at));
	if (n < 0 || (size_t)n >= SUN_LEN_MAX)
		return -ENAMETOOLONG;
	memcpy(used, at, (size_t)n + 1);
	return sock_path(fn, sock, at);
}

struct bind_arg {
	int sock;
	const struct sockaddr *addr;
	socklen_t len;
	const char *asked;
};

static int make_socket(int dirfd, const char *path, const struct rw_loc *upper, void *arg)
{
	const struct bind_arg *a = arg;
	char used[SUN_LEN_MAX + 1];
	int r;

	if (upper) {
		char rel[PATH_MAX];
		if (rw_view_upper_rel(upper->path, upper->len, rel, sizeof(rel)) < 0)
			return -ENAMETOOLONG;
		r = sock_upper(real_bind, a->sock, rel, dirfd, path, used);
		if (r == 0)
			remember_bound(used, a->asked);
		return r;
	}
	/* The real filesystem: the program's own address, so that the socket
	 * keeps the name it was given (a relative one stays relative). */
	(void)dirfd;
	r = real_bind(a->sock, a->addr, a->len);
	return r < 0 ? -errno : 0;
}

int rw_bind(int sock, const struct sockaddr *addr, socklen_t len)
{
	char path[SUN_LEN_MAX + 1];
	struct bind_arg a = { sock, addr, len, path };
	int r;

	if (!rw_ready() || !real_bind || !unix_path(addr, len, path)) {
		r = RW_REAL(bind, (int)syscall(SYS_bind, sock, addr, len), sock, addr, len);
		return r < 0 ? -errno : 0;
	}
	r = rw_make_at("bind", AT_FDCWD, path, 0, make_socket, &a);
	return r == -EEXIST ? -EADDRINUSE : r;
}

int rw_connect(int sock, const struct sockaddr *addr, socklen_t len)
{
	char path[SUN_LEN_MAX + 1], rel[PATH_MAX], used[SUN_LEN_MAX + 1];
	struct rw_loc loc;
	int r;

	if (!rw_ready() || !real_connect || !unix_path(addr, len, path) ||
	    (r = rw_look(AT_FDCWD, path, 1, &loc)) == 0) {
		r = RW_REAL(connect, (int)syscall(SYS_connect, sock, addr, len), sock, addr, len);
		/* Connecting asks for write access: a file that is no socket
		 * on a read-only filesystem says EROFS, where a writable copy
		 * refuses the connection. */
		if (r < 0 && errno == EROFS && rw_ready() && unix_path(addr, len, path))
			return -ECONNREFUSED;
		return r < 0 ? -errno : 0;
	}
	if (r < 0)
		return r;
	if (loc.layer == RW_UPPER) {
		const char *name;
		int dfd;
		if (rw_view_upper_rel(loc.path, loc.len, rel, sizeof(rel)) < 0)
			return -ENAMETOOLONG;
		if ((dfd = rw_store_dir(rel, &name)) < 0)
			return dfd;
		r = sock_upper(real_connect, sock, rel, dfd, name, used);
		rw_store_close(dfd);
		return r;
	}
	r = loc.len < SUN_LEN_MAX ? sock_path(real_connect, sock, loc.path)
				  : (real_connect(sock, addr, len) < 0 ? -errno : 0);
	return r == -EROFS ? -ECONNREFUSED : r;
}

RW_EXPORT int bind(int sock, const struct sockaddr *addr, socklen_t len)
{
	int saved = errno;
	return rw_ret(rw_bind(sock, addr, len), saved);
}

RW_EXPORT int connect(int sock, const struct sockaddr *addr, socklen_t len)
{
	int saved = errno;
	return rw_ret(rw_connect(sock, addr, len), saved);
}

/* ---- getsockname and getpeername --------------------------------------------- */

typedef int (*name_fn)(int, struct sockaddr *, socklen_t *);

static int sock_name(name_fn fn, int sock, struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *un = (struct sockaddr_un *)&ss;
	socklen_t got = sizeof(ss) - 1;
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (fn(sock, (struct sockaddr *)&ss, &got) < 0)
		return -errno;
	if (got > sizeof(ss) - 1)
		got = sizeof(ss) - 1;
	if (un->sun_family == AF_UNIX && got > off + 1 && un->sun_path[0] == '/') {
		/* A path name: NUL-terminated by the kernel, or at its end. */
		((char *)&ss)[got] = '\0';
		unmap_name(un->sun_path);
		got = (socklen_t)(off + strlen(un->sun_path) + 1);
	}
	memcpy(addr, &ss, *len < got ? *len : got);
	*len = got;
	return 0;
}

RW_EXPORT int getsockname(int sock, struct sockaddr *addr, socklen_t *len)
{
	int saved = errno;

	if (!rw_ready() || !rw_sess.ix || !addr || !len)
		return real_getsockname ? real_getsockname(sock, addr, len) : (int)rw_enosys();
	return rw_ret(sock_name(real_getsockname, sock, addr, len), saved);
}

RW_EXPORT int getpeername(int sock, struct sockaddr *addr, socklen_t *len)
{
	int saved = errno;

	if (!rw_ready() || !rw_sess.ix || !addr || !len)
		return real_getpeername ? real_getpeername(sock, addr, len) : (int)rw_enosys();
	return rw_ret(sock_name(real_getpeername, sock, addr, len), saved);
}
