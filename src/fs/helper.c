/* SPDX-License-Identifier: MIT */
/*
 * fs/helper.c - the storage helper of a root tree (see helper.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/path.h"
#include "fs/copyup.h"
#include "fs/helper.h"
#include "fs/msg.h"
#include "fs/real.h"
#include "fs/session.h"
#include "fs/view.h"

#define SOCK_NAME "sock"

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
	int fd, r = -EROFS;
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
		int e = errno;
		rw_say_once(RW_WARN_HELPER, "cannot reach the storage helper of this root-started tree (",
			    rw_strerror(e), "); writes of other users to read-only places fail as before",
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
	return r;
}

/* Carry out one request, as root, with the checks a client cannot skip. */
static int serve_one(const struct request *req)
{
	struct rw_vpath vp;
	struct rw_loc loc;
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
	if (req->op == RW_HELP_PARENTS)
		return rw_view_make_parents(vp.abs, vp.len);
	if (req->op != RW_HELP_COPY && req->op != RW_HELP_COPY_META)
		return -EINVAL;
	/* Only what the view shows, at its canonical place: the same copy the
	 * client would make, with the owner it cannot give. */
	r = rw_view_resolve(&vp, RW_CANON, &loc);
	if (r < 0)
		return r;
	if (loc.layer != RW_LOWER)
		return loc.layer == RW_NONE ? -ENOENT : 0;
	return rw_copy_up(&loc, req->op == RW_HELP_COPY);
}

static void serve(int lsock)
{
	for (;;) {
		struct request req;
		int c = accept4(lsock, NULL, NULL, SOCK_CLOEXEC), r;
		ssize_t n;

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		n = recv(c, &req, sizeof(req) - 1, 0);
		if (n < 2) {
			r = -EINVAL;
		} else {
			((char *)&req)[n] = '\0';
			r = serve_one(&req);
		}
		(void)!send(c, &r, sizeof(r), MSG_NOSIGNAL);
		real_close(c);
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
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0 ||
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
	serving = 1;
	rw_sess.fd = sessfd;
	serve(lsock);
	_exit(0);
}
