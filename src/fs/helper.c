/* SPDX-License-Identifier: MIT */
/*
 * fs/helper.c - the storage helper of a root tree (see helper.h).
 *
 * The helper is root, and its callers may be hostile: any process of the
 * user the tree dropped to knows the session path. So:
 *   - it knows each caller by the kernel's word (SO_PEERCRED, and
 *     SO_PEERGROUPS for the supplementary groups), never by the request;
 *   - it looks paths up as the caller (setfsuid, setfsgid, setgroups), so
 *     it tells nobody whether a name exists in a folder they may not
 *     search, and copies only what the caller can reach; only then does
 *     it become root again to write the storage, and copy-up checks that
 *     what it opens is what the caller's walk found (fs/copyup.c);
 *   - one loop polls every connection with a time limit, so an idle
 *     client blocks nobody; the work that may take long (copies, mirrored
 *     folders) runs in a child of its own, a bounded number at a time.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/index.h"
#include "core/path.h"
#include "fs/copyup.h"
#include "fs/helper.h"
#include "fs/msg.h"
#include "fs/real.h"
#include "fs/session.h"
#include "fs/view.h"

#define SOCK_NAME "sock"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

/* Connections waiting for their request, and children at work. */
#define MAX_WAITING 64
#define MAX_CHILDREN 16
/* How long a connection may take to send its request. */
#define REQUEST_MS 2000

struct request {
	char op;
	char path[PATH_MAX];
};

/* Set in the helper itself, which acts directly. */
static int serving;

int rw_helper_needed(void)
{
	return !serving && rw_sess.owner == 0 && geteuid() != 0;
}

static int sock_addr(int sessfd, struct sockaddr_un *sa)
{
	int w;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	w = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/" SOCK_NAME, sessfd);
	return w > 0 && (size_t)w < sizeof(sa->sun_path) ? 0 : -ENAMETOOLONG;
}

int rw_helper_call(enum rw_helper_op op, const char *path, size_t len)
{
	RW_BUSY_SCOPE();
	struct sockaddr_un sa;
	struct request req;
	int fd, r = -EROFS, e = errno;
	ssize_t n;

	if (len >= sizeof(req.path) || sock_addr(rw_sess.fd, &sa) < 0)
		return -ENAMETOOLONG;
	req.op = (char)op;
	memcpy(req.path, path, len);
	req.path[len] = '\0';
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int ce = errno;
		rw_say_once(RW_WARN_HELPER, "cannot reach the storage helper of this root-started tree (",
			    rw_strerror(ce), "); writes of other users to read-only places fail as before",
			    (char *)NULL);
	} else if (send(fd, &req, 1 + len + 1, MSG_NOSIGNAL) < 0) {
		r = -errno;
	} else {
		do
			n = recv(fd, &r, sizeof(r), 0);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(r))
			r = -EIO;
	}
	real_close(fd);
	errno = e;
	return r;
}

/* ---- serving -------------------------------------------------------------- */

/* Who is asking, as the kernel knows it. */
struct caller {
	struct ucred cred;
	int ngroups;
	gid_t groups[64];
};

static int identify(int c, struct caller *who)
{
	socklen_t len = sizeof(who->cred);
	socklen_t glen = sizeof(who->groups);

	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &who->cred, &len) < 0 ||
	    len != sizeof(who->cred))
		return -EACCES;
	/* Without the groups (a kernel before 4.13, or more than fit) the
	 * caller's walk runs with its primary group alone: it may be refused
	 * where its groups would let it in, never let in further. */
	if (getsockopt(c, SOL_SOCKET, SO_PEERGROUPS, who->groups, &glen) < 0)
		glen = 0;
	who->ngroups = (int)(glen / sizeof(gid_t));
	return 0;
}

/* Look at the file system with @who's rights (@who NULL: root's again).
 * The helper is one thread, so the per-thread fs ids are the process's. */
static int act_as(const struct caller *who)
{
	if (!who) {
		setfsuid(0);
		setfsgid(0);
		return setgroups(0, NULL) < 0 ? -errno : 0;
	}
	if (setgroups((size_t)who->ngroups, who->groups) < 0)
		return -errno;
	setfsgid(who->cred.gid);
	setfsuid(who->cred.uid);
	/* setfsuid returns the old id whatever happens: ask again to check. */
	if ((uid_t)setfsuid((uid_t)-1) != who->cred.uid || (gid_t)setfsgid((gid_t)-1) != who->cred.gid)
		return -EPERM;
	return 0;
}

/* Resolve @vp as the caller may: the answer it would get from the kernel
 * (EACCES in a folder it may not search), and for a copy, the entry its
 * walk found, whose identity copy-up checks again as root. */
static int resolve_as(const struct caller *who, const struct rw_vpath *vp, struct rw_loc *loc)
{
	int r = act_as(who);

	if (r == 0)
		r = rw_view_resolve(vp, RW_CANON, loc);
	if (act_as(NULL) < 0)
		_exit(1); /* never go on as root with another's groups */
	return r;
}

static int serve_parents(const struct caller *who, const struct rw_vpath *vp)
{
	struct rw_vpath pv;
	struct rw_loc ploc;
	const char *name;
	size_t plen = rw_path_split(vp->abs, vp->len, &name);
	int r;

	/* The folder the new name goes in must be one the caller can reach. */
	memcpy(pv.abs, vp->abs, plen);
	pv.abs[plen] = '\0';
	pv.len = plen;
	pv.trailing = 0;
	pv.stored = pv.resolved = 0;
	r = resolve_as(who, &pv, &ploc);
	if (r < 0)
		return r;
	if (ploc.layer == RW_NONE)
		return -ENOENT;
	if (!S_ISDIR(ploc.st.st_mode))
		return -ENOTDIR;
	return rw_view_make_parents(vp->abs, vp->len);
}

static int serve_copy(const struct caller *who, const struct rw_vpath *vp, int with_data)
{
	struct rw_loc loc;
	int r = resolve_as(who, vp, &loc);

	if (r < 0)
		return r;
	if (loc.layer != RW_LOWER)
		return loc.layer == RW_NONE ? -ENOENT : 0;
	return rw_copy_up(&loc, with_data);
}

/* The work that may take long, in a child: as root, with the caller's
 * walk first. */
static int serve_work(const struct caller *who, const struct request *req)
{
	struct rw_vpath vp;
	long len;
	int r;

	if (req->op == RW_HELP_STORAGE)
		return rw_session_storage();
	len = rw_path_join(NULL, req->path, vp.abs, sizeof(vp.abs), &vp.trailing);
	if (len < 0)
		return (int)len;
	vp.len = (size_t)len;
	vp.stored = vp.resolved = 0;
	if (rw_view_quick(&vp) == RW_EXCLUDED)
		return -EROFS;
	if ((r = rw_session_storage()) < 0)
		return r;
	switch (req->op) {
	case RW_HELP_PARENTS:
		return serve_parents(who, &vp);
	case RW_HELP_COPY:
	case RW_HELP_COPY_META:
		return serve_copy(who, &vp, req->op == RW_HELP_COPY);
	default:
		return -EINVAL;
	}
}

/* Marks: a bit set in the index, which costs nothing to serve and grants
 * nothing (a mark only sends lookups to the disk). */
static int serve_mark(const struct request *req, size_t n)
{
	size_t len = n - 1;

	if (req->op == RW_HELP_CHANGED) {
		rw_index_changed(rw_sess.ix);
		return 0;
	}
	if (len == 0 || req->path[0] != '/' || len >= sizeof(req->path))
		return -EINVAL;
	if (req->op != RW_HELP_MARK_SHADOW)
		rw_index_mark(rw_sess.ix, req->path, len, RW_MARK_ENTRY);
	if (req->op != RW_HELP_MARK_ENTRY)
		rw_index_mark(rw_sess.ix, req->path, len, RW_MARK_SHADOW);
	return 0;
}

static int is_mark(char op)
{
	return op == RW_HELP_MARK_ENTRY || op == RW_HELP_MARK_SHADOW || op == RW_HELP_MARK_NEW ||
	       op == RW_HELP_CHANGED;
}

static void reply(int c, int r)
{
	(void)!send(c, &r, sizeof(r), MSG_NOSIGNAL | MSG_DONTWAIT);
	real_close(c);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read and answer the request waiting on @c; @children counts the
 * children at work. */
static void answer(int c, int *children)
{
	struct request req;
	struct caller who;
	ssize_t n = recv(c, &req, sizeof(req) - 1, MSG_DONTWAIT);
	pid_t pid;

	if (n < 2) {
		reply(c, n < 0 && errno == EAGAIN ? -EAGAIN : -EINVAL);
		return;
	}
	((char *)&req)[n] = '\0';
	if (identify(c, &who) < 0) {
		reply(c, -EACCES);
		return;
	}
	if (is_mark(req.op)) {
		reply(c, serve_mark(&req, (size_t)(n - 1)));
		return;
	}
	while (*children >= MAX_CHILDREN && waitpid(-1, NULL, 0) > 0)
		--*children;
	pid = fork();
	if (pid < 0) {
		reply(c, -EAGAIN);
		return;
	}
	if (pid == 0) {
		int r = serve_work(&who, &req);
		(void)!send(c, &r, sizeof(r), MSG_NOSIGNAL);
		_exit(0);
	}
	++*children;
	real_close(c);
}

static void serve(int lsock)
{
	struct pollfd fds[1 + MAX_WAITING];
	long since[1 + MAX_WAITING];
	int n = 1, children = 0, i;

	fds[0].fd = lsock;
	fds[0].events = POLLIN;
	for (;;) {
		long now;
		int timeout = n > 1 ? REQUEST_MS : -1, ready;

		ready = poll(fds, (nfds_t)n, timeout);
		while (children > 0 && waitpid(-1, NULL, WNOHANG) > 0)
			children--;
		if (ready < 0 && errno != EINTR)
			_exit(1);
		now = now_ms();
		/* Requests first, then the connections that took too long. */
		for (i = 1; i < n; i++) {
			if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
				answer(fds[i].fd, &children);
			else if (now - since[i] < REQUEST_MS)
				continue;
			else
				real_close(fds[i].fd);
			fds[i] = fds[--n];
			since[i] = since[n];
			i--;
		}
		if (ready > 0 && (fds[0].revents & POLLIN)) {
			int c = accept4(lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (c < 0)
				continue;
			if (n == 1 + MAX_WAITING) {
				/* Full of clients that say nothing: the oldest goes. */
				real_close(fds[1].fd);
				fds[1] = fds[--n];
				since[1] = since[n];
			}
			fds[n].fd = c;
			fds[n].events = POLLIN;
			fds[n].revents = 0;
			since[n++] = now;
		}
	}
}

int rw_helper_listen(int sessfd)
{
	struct sockaddr_un sa;
	int s;

	if (sock_addr(sessfd, &sa) < 0)
		return -ENAMETOOLONG;
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	/* Any user the tree may become connects: the helper knows each by
	 * SO_PEERCRED and acts only as that user may. */
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 64) < 0 ||
	    real_fchmodat(sessfd, SOCK_NAME, 0666, 0) < 0) {
		int e = errno;
		real_close(s);
		return -e;
	}
	return s;
}

int rw_helper_start(int lsock, int sessfd)
{
	pid_t parent = getpid(), pid = fork();

	if (pid < 0) {
		int e = errno;
		real_close(lsock);
		return -e;
	}
	if (pid > 0) {
		real_close(lsock);
		return pid;
	}
	/* The helper lives exactly as long as the reaper. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, "rwshim-helper", 0, 0, 0);
	signal(SIGCHLD, SIG_DFL);
	serving = 1;
	rw_sess.fd = sessfd;
	serve(lsock);
	_exit(0);
}
