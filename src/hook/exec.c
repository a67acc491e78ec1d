/* SPDX-License-Identifier: MIT */
/*
 * hook/exec.c - running programs: the exec family, posix_spawn and dlopen.
 *
 * Two jobs. First, every new program keeps the shim and the tree's session
 * even when the caller hands it a cleared or rebuilt environment (env -i,
 * sudo-style resets): a copy of envp gets LD_PRELOAD, RWSHIM_SESSION and the
 * settings back; the caller's environ is never changed. Second, a program,
 * script or library that exists only in the overlay runs: it is reached
 * through the session descriptor as /proc/self/fd/N/upper/..., and a "#!"
 * script there is started by running its interpreter ourselves (the kernel
 * would hand the interpreter a storage path).
 *
 * Memory comes from the stack, or from mmap for very long argument or
 * environment lists: these hooks also run in vfork children, where the
 * parent's heap must not be touched.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/config.h"
#include "core/path.h"
#include "fs/session.h"
#include "fs/view.h"
#include "fs/store.h"
#include "hook/create.h"
#include "hook/hook.h"

#define STACK_SLOTS 256
#define MAX_SHEBANG_DEPTH 4
#define SHEBANG_MAX 256 /* what the kernel reads of a "#!" line, and then some */
#define PROC_FD_MAX 64

extern char **environ;

static char self_path[PATH_MAX];
/* "NAME=value" of each setting the tree started with, one after another. */
static char settings[8192];
static size_t settings_len;

void rw_exec_init(void)
{
	Dl_info info;
	int i;

	if (dladdr((void *)rw_exec_init, &info) && info.dli_fname && info.dli_fname[0] == '/' &&
	    strlen(info.dli_fname) < sizeof(self_path))
		strcpy(self_path, info.dli_fname);
	for (i = 0; i < RW_SET_COUNT; i++) {
		const char *name = rw_config_env_name((enum rw_setting)i);
		const char *val = getenv(name);
		size_t n = strlen(name), v = val ? strlen(val) : 0;

		if (!val || settings_len + n + v + 2 > sizeof(settings))
			continue;
		memcpy(settings + settings_len, name, n);
		settings[settings_len + n] = '=';
		memcpy(settings + settings_len + n + 1, val, v + 1);
		settings_len += n + v + 2;
	}
}

/* ---- scratch memory that is safe in a vfork child --------------------------- */

struct scratch {
	void *mem;
	size_t size;
};

static void *scratch_get(struct scratch *s, void *stack, size_t stack_size, size_t want)
{
	s->mem = NULL;
	if (want <= stack_size)
		return stack;
	s->size = want;
	s->mem = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->mem == MAP_FAILED)
		s->mem = NULL;
	return s->mem;
}

static void scratch_put(struct scratch *s)
{
	if (s->mem)
		munmap(s->mem, s->size);
}

static size_t count(char *const v[])
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* ---- the environment a new program gets ------------------------------------ */

static int has_name(const char *entry, const char *name, size_t n)
{
	return !strncmp(entry, name, n) && entry[n] == '=';
}

/* Whether @list (LD_PRELOAD's value) already names the library. */
static int preloads_self(const char *list)
{
	size_t n = strlen(self_path);
	const char *p = list;

	while ((p = strstr(p, self_path))) {
		if ((p == list || p[-1] == ':' || p[-1] == ' ') && (!p[n] || p[n] == ':' || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

/* Fill @out (room for count(envp) + RW_SET_COUNT + 3) from @envp with the
 * shim's variables put back; @buf holds the strings made here. */
static char **fixed_env(char *const envp[], char **out, char *buf, size_t bufsz)
{
	size_t i, n = 0, used = 0;
	int have_preload = 0, have_session = 0;
	const char *s;

	for (i = 0; envp && envp[i]; i++) {
		char *e = envp[i];
		if (self_path[0] && has_name(e, "LD_PRELOAD", 10)) {
			have_preload = 1;
			if (!preloads_self(e + 11)) {
				int w = snprintf(buf + used, bufsz - used, "LD_PRELOAD=%s:%s", self_path, e + 11);
				if (w > 0 && (size_t)w < bufsz - used) {
					e = buf + used;
					used += (size_t)w + 1;
				}
			}
		} else if (has_name(e, RWSHIM_ENV_SESSION, sizeof(RWSHIM_ENV_SESSION) - 1)) {
			have_session = 1;
		}
		out[n++] = e;
	}
	if (self_path[0] && !have_preload) {
		int w = snprintf(buf + used, bufsz - used, "LD_PRELOAD=%s", self_path);
		if (w > 0 && (size_t)w < bufsz - used) {
			out[n++] = buf + used;
			used += (size_t)w + 1;
		}
	}
	if (!have_session && rw_sess.ix && rw_cfg.scope == RW_SCOPE_TREE) {
		int w = snprintf(buf + used, bufsz - used, "%s=%d:%s", RWSHIM_ENV_SESSION, rw_sess.fd,
				 rw_sess.path);
		if (w > 0 && (size_t)w < bufsz - used) {
			out[n++] = buf + used;
			used += (size_t)w + 1;
		}
	}
	/* Settings the caller dropped come back as the tree started with them. */
	for (s = settings; s < settings + settings_len; s += strlen(s) + 1) {
		size_t name_len = (size_t)(strchr(s, '=') - s);
		int present = 0;
		for (i = 0; i < n && !present; i++)
			present = has_name(out[i], s, name_len);
		if (!present)
			out[n++] = (char *)s;
	}
	out[n] = NULL;
	return out;
}

/* ---- finding what to run ---------------------------------------------------- */

/* "/proc/self/fd/N/upper/..." for overlay entry @loc: a name the kernel can
 * open in this process and in a child that inherited the descriptor. */
static int overlay_name(const struct rw_loc *loc, char *out, size_t outsz)
{
	char rel[PATH_MAX];

	if (rw_view_upper_rel(loc->path, loc->len, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	/* Through the session descriptor, which a child inherits, not a folder
	 * descriptor of the store: a script's interpreter opens this name after
	 * exec. The folders on it are the overlay's canonical ones; see
	 * docs/SECURITY.md for what that leaves to a writable copy's rules. */
	return rw_at_name(rw_sess.fd, rel, out, outsz) < 0 ? -ENAMETOOLONG : 0;
}

/* The program to run for @path: the path itself (0), the overlay name or
 * canonical lower path written to @out (1), or -errno. */
static int program_path(int dirfd, const char *path, int follow, char *out, size_t outsz,
			struct rw_loc *loc)
{
	int r = rw_look(dirfd, path, follow, loc);

	if (r <= 0)
		return r;
	if (loc->layer == RW_UPPER) {
		/* We start scripts ourselves: check what the kernel would. */
		if (S_ISDIR(loc->st.st_mode) || overlay_name(loc, out, outsz) < 0)
			return S_ISDIR(loc->st.st_mode) ? -EACCES : -ENAMETOOLONG;
		if (real_faccessat(AT_FDCWD, out, X_OK, AT_EACCESS) < 0)
			return -errno;
		return 1;
	}
	if (loc->len >= outsz)
		return -ENAMETOOLONG;
	memcpy(out, loc->path, loc->len + 1);
	return 1;
}

/* Split a "#!" line in @buf (@n bytes read) into interpreter and optional
 * argument, as the kernel does. Returns 1 for a script, 0 for anything else. */
static int parse_shebang(char *buf, size_t n, char **interp, char **arg)
{
	char *p, *end;

	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = '\0';
	end = strchr(buf, '\n');
	if (!end)
		end = buf + n;
	*end = '\0';
	for (p = buf + 2; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p)
		return 0;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*arg = NULL;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			*arg = p;
			for (end = p + strlen(p); end > p && (end[-1] == ' ' || end[-1] == '\t'); end--)
				end[-1] = '\0';
		}
	}
	return 1;
}

static int exec_at(int dirfd, const char *path, char *const argv[], char *const envp[], int flags,
		   int depth);

/*
 * If overlay program @name is a "#!" script, build in @sc (or @stack, of
 * @stack_size bytes) the argv that runs it through its interpreter as the
 * kernel would, with the program's own name for it, @shown: { interp,
 * [arg,] shown, argv[1]... }. @head (SHEBANG_MAX bytes) holds the strings.
 * Returns 1 and sets *@out, 0 when it is not a script we can read (the
 * kernel decides then: an execute-only binary still runs), or -E2BIG.
 */
static int script_argv(const char *name, const char *shown, char *const argv[], char *head,
		       struct scratch *sc, char **stack, size_t stack_size, char ***out)
{
	char *interp, *arg, **nargv;
	size_t argc = count(argv), i = 0, j;
	int fd = real_openat(AT_FDCWD, name, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, head, SHEBANG_MAX - 1);

	if (fd >= 0)
		real_close(fd);
	if (n < 0 || !parse_shebang(head, (size_t)n, &interp, &arg))
		return 0;
	nargv = scratch_get(sc, stack, stack_size, (argc + 4) * sizeof(char *));
	if (!nargv)
		return -E2BIG;
	nargv[i++] = interp;
	if (arg)
		nargv[i++] = arg;
	nargv[i++] = (char *)shown;
	for (j = 1; j < argc; j++)
		nargv[i++] = argv[j];
	nargv[i] = NULL;
	*out = nargv;
	return 1;
}

/* Run overlay script @name (the program's name for it: @shown) through its
 * interpreter. Returns -errno on failure, 1 when @name is no script. */
static int exec_script(const char *name, const char *shown, char *const argv[],
		       char *const envp[], int depth)
{
	char head[SHEBANG_MAX], *stack[STACK_SLOTS], **nargv;
	struct scratch sc;
	int r = script_argv(name, shown, argv, head, &sc, stack, sizeof(stack), &nargv);

	if (r <= 0)
		return r < 0 ? r : 1;
	r = depth >= MAX_SHEBANG_DEPTH ? -ELOOP
				       : exec_at(AT_FDCWD, nargv[0], nargv, envp, 0, depth + 1);
	scratch_put(&sc);
	return r;
}

/* execveat through the merged view; envp is already fixed. Returns -errno. */
static int exec_at(int dirfd, const char *path, char *const argv[], char *const envp[], int flags,
		   int depth)
{
	char name[PATH_MAX + PROC_FD_MAX];
	struct rw_loc loc;
	int r;

	if ((flags & AT_EMPTY_PATH) && path && !path[0])
		r = 0;
	else
		r = program_path(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), name, sizeof(name), &loc);
	if (r < 0)
		return r;
	if (r == 0) {
		if (dirfd == AT_FDCWD && !flags)
			real_execve(path, argv, envp);
		else
			real_execveat(dirfd, path, argv, envp, flags);
		return -errno;
	}
	if (loc.layer == RW_UPPER) {
		r = exec_script(name, path, argv, envp, depth);
		if (r <= 0)
			return r;
	}
	real_execve(name, argv, envp);
	return -errno;
}

/* Run @argv with the shim's environment; returns -errno. */
static int exec_fixed(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
	char *stack[STACK_SLOTS], **env, strings[2 * PATH_MAX + 64];
	struct scratch sc;
	int r;

	env = scratch_get(&sc, stack, sizeof(stack),
			  (count(envp) + RW_SET_COUNT + 3) * sizeof(char *));
	if (!env)
		return -E2BIG;
	r = exec_at(dirfd, path, argv, fixed_env(envp, env, strings, sizeof(strings)), flags, 0);
	scratch_put(&sc);
	return r;
}

/* The PATH a search walks: libc's default when it is unset. */
static const char *search_path(void)
{
	const char *dirs = getenv("PATH");

	return dirs ? dirs : "/bin:/usr/bin";
}

/* Join the PATH entry at *@pos (an empty one is ".") and @file into @cand
 * (@size bytes), and step past the entry. Returns 1, 0 after the last
 * entry, or -ENAMETOOLONG for an entry too long to use (skip it). */
static int search_next(const char **pos, const char *file, char *cand, size_t size)
{
	const char *p = *pos, *q;
	size_t dl, fl = strlen(file);

	if (!p)
		return 0;
	q = strchrnul(p, ':');
	*pos = *q ? q + 1 : NULL;
	dl = (size_t)(q - p);
	if (!dl) {
		p = ".";
		dl = 1;
	}
	if (dl + fl + 2 > size)
		return -ENAMETOOLONG;
	memcpy(cand, p, dl);
	cand[dl] = '/';
	memcpy(cand + dl + 1, file, fl + 1);
	return 1;
}

/* execvpe's search of PATH over the merged view. Returns -errno. */
static int exec_search(const char *file, char *const argv[], char *const envp[])
{
	char cand[PATH_MAX];
	const char *pos = search_path();
	int eacces = 0, r;

	if (!*file)
		return -ENOENT;
	if (strchr(file, '/'))
		return exec_fixed(AT_FDCWD, file, argv, envp, 0);
	while ((r = search_next(&pos, file, cand, sizeof(cand))) != 0) {
		if (r > 0) {
			r = exec_fixed(AT_FDCWD, cand, argv, envp, 0);
			if (r == -ENOEXEC) {
				/* No "#!" and not a binary: a shell script, as execvp runs it. */
				char *stack[STACK_SLOTS], **sh;
				struct scratch sc;
				size_t argc = count(argv), j;

				sh = scratch_get(&sc, stack, sizeof(stack), (argc + 3) * sizeof(char *));
				if (!sh)
					return -E2BIG;
				sh[0] = (char *)"/bin/sh";
				sh[1] = cand;
				for (j = 1; j <= argc; j++)
					sh[j + 1] = argv[j];
				r = exec_fixed(AT_FDCWD, "/bin/sh", sh, envp, 0);
				scratch_put(&sc);
				return r;
			}
			if (r == -EACCES)
				eacces = 1;
			else if (r != -ENOENT && r != -ENOTDIR && r != -ESTALE && r != -ENODEV &&
				 r != -ETIMEDOUT)
				return r;
		}
	}
	return eacces ? -EACCES : -ENOENT;
}

/* ---- the spellings ------------------------------------------------------------ */

RW_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	if (!rw_ready())
		return RW_REAL(execve, (int)rw_enosys(), path, argv, envp);
	return rw_ret(exec_fixed(AT_FDCWD, path, argv, envp, 0), 0);
}

RW_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
		       int flags)
{
	if (!rw_ready())
		return RW_REAL(execveat, (int)rw_enosys(), dirfd, path, argv, envp, flags);
	return rw_ret(exec_fixed(dirfd, path, argv, envp, flags), 0);
}

RW_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	if (!rw_ready())
		return RW_REAL(fexecve, (int)rw_enosys(), fd, argv, envp);
	return rw_ret(exec_fixed(fd, "", argv, envp, AT_EMPTY_PATH), 0);
}

RW_EXPORT int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

RW_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	if (!rw_ready() || !real_execve)
		return (int)rw_enosys();
	return rw_ret(exec_search(file, argv, envp), 0);
}

RW_EXPORT int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* The list forms: gather "arg, ..., NULL" (and execle's envp after it)
 * into an array. */
static char **gather(const char *first, va_list ap, struct scratch *sc, char **stack,
		     size_t stack_size, char ***envp)
{
	va_list cp;
	size_t n = 1, k;
	char **argv;

	va_copy(cp, ap);
	while (va_arg(cp, char *))
		n++;
	va_end(cp);
	argv = scratch_get(sc, stack, stack_size, (n + 1) * sizeof(char *));
	if (!argv)
		return NULL;
	argv[0] = (char *)first;
	for (k = 1; k < n; k++)
		argv[k] = va_arg(ap, char *);
	argv[n] = NULL;
	if (envp) {
		(void)va_arg(ap, char *);
		*envp = va_arg(ap, char **);
	}
	return argv;
}

/* Run the list form: execle takes its envp after the NULL, execlp searches PATH. */
static int exec_list(const char *path, const char *arg, va_list ap, int with_env, int search)
{
	char *stack[STACK_SLOTS], **argv, **envp = environ;
	struct scratch sc;
	int r;

	argv = gather(arg, ap, &sc, stack, sizeof(stack), with_env ? &envp : NULL);
	if (!argv) {
		errno = E2BIG;
		return -1;
	}
	r = search ? execvpe(path, argv, envp) : execve(path, argv, envp);
	scratch_put(&sc);
	return r;
}

/* The three list spellings differ only in what exec_list() is told. */
#define EXEC_LIST(name, with_env, search)                             \
	RW_EXPORT int name(const char *path, const char *arg, ...)    \
	{                                                             \
		va_list ap;                                           \
		int r;                                                \
                                                                      \
		va_start(ap, arg);                                    \
		r = exec_list(path, arg, ap, with_env, search);       \
		va_end(ap);                                           \
		return r;                                             \
	}

EXEC_LIST(execl, 0, 0)
EXEC_LIST(execle, 1, 0)
EXEC_LIST(execlp, 0, 1)

/* ---- spawning ------------------------------------------------------------------ */

/* posix_spawn runs the exec in a child that libc drives with its own
 * internal calls, out of our reach: so the program path and the
 * environment are settled here, in the parent. */
static int spawn_common(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			const posix_spawnattr_t *attr, char *const argv[], char *const envp[],
			int search)
{
	char name[PATH_MAX + PROC_FD_MAX], cand[PATH_MAX], head[SHEBANG_MAX];
	char *stack[STACK_SLOTS], **env, strings[2 * PATH_MAX + 64];
	char *astack[STACK_SLOTS], **nargv = (char **)argv;
	struct scratch sc, asc = { 0 };
	struct rw_loc loc;
	const char *use = path;
	int r;

	if (search && !strchr(path, '/')) {
		/* Find the program on PATH in the merged view; libc would not see
		 * a program that only the overlay has. */
		const char *pos = search_path();
		struct stat st;

		while ((r = search_next(&pos, path, cand, sizeof(cand))) != 0) {
			if (r > 0 && rw_fstatat(AT_FDCWD, cand, &st, 0) == 0 && S_ISREG(st.st_mode) &&
			    rw_faccessat(AT_FDCWD, cand, X_OK, AT_EACCESS) == 0) {
				use = cand;
				break;
			}
		}
	}
	r = program_path(AT_FDCWD, use, 1, name, sizeof(name), &loc);
	if (r < 0)
		return -r;
	if (r > 0 && loc.layer == RW_UPPER) {
		/* A script in the overlay: spawn its interpreter on it. */
		r = script_argv(name, use, argv, head, &asc, astack, sizeof(astack), &nargv);
		if (r < 0)
			return -r;
		if (r > 0) {
			r = program_path(AT_FDCWD, nargv[0], 1, name, sizeof(name), &loc);
			if (r < 0) {
				scratch_put(&asc);
				return -r;
			}
			use = r ? name : nargv[0];
		} else {
			use = name;
		}
	} else if (r > 0) {
		use = name;
	}
	env = scratch_get(&sc, stack, sizeof(stack), (count(envp) + RW_SET_COUNT + 3) * sizeof(char *));
	if (!env) {
		scratch_put(&asc);
		return E2BIG;
	}
	fixed_env(envp, env, strings, sizeof(strings));
	r = search ? real_posix_spawnp(pid, use, fa, attr, nargv, env)
		   : real_posix_spawn(pid, use, fa, attr, nargv, env);
	scratch_put(&sc);
	scratch_put(&asc);
	return r;
}

RW_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int saved = errno, r;

	if (!rw_ready())
		return real_posix_spawn ? real_posix_spawn(pid, path, fa, attr, argv, envp) : ENOSYS;
	r = spawn_common(pid, path, fa, attr, argv, envp, 0);
	errno = saved;
	return r;
}

RW_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int saved = errno, r;

	if (!rw_ready())
		return real_posix_spawnp ? real_posix_spawnp(pid, file, fa, attr, argv, envp) : ENOSYS;
	r = spawn_common(pid, file, fa, attr, argv, envp, 1);
	errno = saved;
	return r;
}

/* ---- libraries ------------------------------------------------------------------- */

RW_EXPORT void *dlopen(const char *path, int flags)
{
	char name[PATH_MAX + PROC_FD_MAX];
	struct rw_loc loc;
	int saved = errno, r;

	if (!rw_ready() || !path || !strchr(path, '/'))
		return RW_REAL(dlopen, rw_enosys_ptr(), path, flags);
	r = program_path(AT_FDCWD, path, 1, name, sizeof(name), &loc);
	errno = saved;
	return real_dlopen(r > 0 ? name : path, flags);
}

/* ---- posix_spawn file actions ------------------------------------------------- */

/*
 * The spawned child runs its file actions with libc's internal calls, so an
 * "open this path" action would never see the merged view. Where the view
 * matters (the path is in the overlay, or a write the real filesystem
 * refuses), the file is opened here, in the parent, when the action is
 * added, and the action becomes "dup2 this descriptor"; the descriptors are
 * closed when the actions are destroyed. The one difference a program can
 * see: the open happens at addopen time, not at spawn time.
 */
#define HELD_FDS 64

static struct {
	posix_spawn_file_actions_t *fa;
	int fd;
} held[HELD_FDS];

static int hold(posix_spawn_file_actions_t *fa, int fd)
{
	int i;

	for (i = 0; i < HELD_FDS; i++) {
		posix_spawn_file_actions_t *expected = NULL;
		if (__atomic_compare_exchange_n(&held[i].fa, &expected, fa, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			held[i].fd = fd;
			return 0;
		}
	}
	return -ENOMEM;
}

/* Whether opening @path with @oflag needs the merged view. */
static int spawn_open_needs_view(const char *path, int oflag)
{
	struct rw_vpath vp;
	char parent[PATH_MAX];
	const char *name;
	int r;

	if (rw_view_live() && rw_view_abs(AT_FDCWD, path, &vp) == 0 && rw_view_quick(&vp) == RW_LOOK)
		return 1;
	if (!(oflag & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) || rw_view_abs(AT_FDCWD, path, &vp) < 0 ||
	    rw_view_quick(&vp) == RW_EXCLUDED)
		return 0;
	/* A write the real filesystem would refuse: the file itself, or a new
	 * name in its folder. */
	r = real_faccessat(AT_FDCWD, vp.abs, W_OK, AT_EACCESS);
	if (r < 0 && errno == ENOENT) {
		size_t plen = rw_path_split(vp.abs, vp.len, &name);
		memcpy(parent, vp.abs, plen);
		parent[plen] = '\0';
		r = real_faccessat(AT_FDCWD, parent, W_OK, AT_EACCESS);
	}
	return r < 0 && rw_refused(errno);
}

RW_EXPORT int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
					       const char *path, int oflag, mode_t mode)
{
	int saved = errno, own, r;

	if (!real_posix_spawn_file_actions_addopen)
		return ENOSYS;
	if (!rw_ready() || fd < 0 || !spawn_open_needs_view(path, oflag))
		return real_posix_spawn_file_actions_addopen(fa, fd, path, oflag, mode);
	own = rw_openat(AT_FDCWD, path, oflag | O_CLOEXEC, mode);
	if (own < 0) {
		errno = saved;
		return -own;
	}
	r = real_posix_spawn_file_actions_adddup2(fa, own, fd);
	if (r == 0 && hold(fa, own) < 0)
		r = ENOMEM;
	if (r != 0)
		real_close(own);
	errno = saved;
	return r;
}

RW_EXPORT int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa, const char *path)
{
	char rel[PATH_MAX];
	struct rw_loc loc;
	int saved = errno, own, r;

	if (!real_posix_spawn_file_actions_addchdir_np)
		return ENOSYS;
	/* Only a folder that the overlay alone has needs a descriptor. */
	if (!rw_ready() || rw_look(AT_FDCWD, path, 1, &loc) <= 0 || loc.layer != RW_UPPER ||
	    !S_ISDIR(loc.st.st_mode) || rw_view_upper_rel(loc.path, loc.len, rel, sizeof(rel)) < 0)
		return real_posix_spawn_file_actions_addchdir_np(fa, path);
	own = rw_store_open(rel, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (own < 0) {
		r = -own;
		errno = saved;
		return r;
	}
	r = real_posix_spawn_file_actions_addfchdir_np(fa, own);
	if (r == 0 && hold(fa, own) < 0)
		r = ENOMEM;
	if (r != 0)
		real_close(own);
	errno = saved;
	return r;
}

RW_EXPORT int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	int i;

	for (i = 0; i < HELD_FDS; i++)
		if (__atomic_load_n(&held[i].fa, __ATOMIC_ACQUIRE) == fa) {
			real_close(held[i].fd);
			__atomic_store_n(&held[i].fa, NULL, __ATOMIC_RELEASE);
		}
	return real_posix_spawn_file_actions_destroy ? real_posix_spawn_file_actions_destroy(fa)
						      : ENOSYS;
}
