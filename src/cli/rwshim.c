/* SPDX-License-Identifier: MIT */
/*
 * cli/rwshim.c - the rwshim command: run COMMAND with librwshim.so preloaded.
 * It checks each option with the library's own parser, hands it on as the
 * variable the library reads, and warns when the loader will not preload into
 * COMMAND. It runs COMMAND as a child subreaper: it forwards the termination
 * signals, waits for every descendant (so the overlay is gone when it returns)
 * and exits as COMMAND did; its own errors exit 125, as env(1) does. That
 * also makes it fit to be the PID 1 of a container.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rwshim.h"
#include "core/config.h"

#define EXIT_FAIL 125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127
#define LIBRARY "librwshim.so"
#define TRY "\nTry 'rwshim --help'."
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ELFDATA_NATIVE ELFDATA2LSB
#else
#define ELFDATA_NATIVE ELFDATA2MSB
#endif

enum rw_arg { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

static const struct rw_option {
	const char *name;
	enum rw_setting setting;
	enum rw_arg arg;
	int reserved; /* known to the library, not yet offered by the command */
} options[] = {
	{ "tmpdir", RW_SET_TMPDIR, ARG_REQUIRED, 0 },
	{ "paths", RW_SET_PATHS, ARG_REQUIRED, 0 },
	{ "exclude", RW_SET_EXCLUDE, ARG_REQUIRED, 0 },
	{ "eacces", RW_SET_EACCES, ARG_NONE, 0 },
	{ "scope", RW_SET_SCOPE, ARG_REQUIRED, 0 },
	{ "keep", RW_SET_KEEP, ARG_OPTIONAL, 0 },
	{ "report", RW_SET_REPORT, ARG_OPTIONAL, 0 },
	{ "log", RW_SET_LOG, ARG_OPTIONAL, 0 },
	{ "audit", RW_SET_AUDIT, ARG_NONE, 0 },
};

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static struct rw_config cfg;
static volatile sig_atomic_t target; /* the child to forward to; 0 once reaped */

__attribute__((noreturn, format(printf, 2, 3))) static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("rwshim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/** Write the help text, or the version line when @version; exit 0. */
static void info(int version)
{
	if (version)
		fputs("rwshim (" PACKAGE_NAME ") " PACKAGE_VERSION "\n"
		      "Copyright (C) 2026 the rwshim authors.\n"
		      "License MIT: <https://spdx.org/licenses/MIT.html>.\n"
		      "This is free software: you are free to change and redistribute it.\n"
		      "There is NO WARRANTY, to the extent permitted by law.\n",
		      stdout);
	else
		fputs("Usage: rwshim [OPTION]... [--] COMMAND [ARG]...\n"
		      "Run COMMAND so that writes refused by a read-only filesystem land in a\n"
		      "private copy-on-write overlay; COMMAND and its children see one merged\n"
		      "view, and the overlay is removed when the last of them exits.\n\n"
		      "      --tmpdir=DIR        make the storage under DIR ($TMPDIR, else /tmp)\n"
		      "      --paths=P[:P...]    also treat these trees as read-only\n"
		      "      --exclude=P[:P...]  never redirect under these (nor /proc /sys /dev)\n"
		      "      --eacces            also redirect writes refused with EACCES/EPERM\n"
		      "      --scope=SCOPE       one overlay for the 'tree' (default), or one for\n"
		      "                            each 'process'\n"
		      "      --keep[=DIR]        keep the overlay after exit (in DIR), say where\n"
		      "      --report[=FILE]     at exit, list what the tree added, changed and\n"
		      "                            deleted, with totals; json:FILE for JSON\n"
		      "      --log[=FILE]        one line per redirected call\n"
		      "      --audit             redirect nothing; log each write a read-only\n"
		      "                            filesystem refuses, and sum them up at exit\n"
		      "      --help              display this help and exit\n"
		      "      --version           output version information and exit\n\n"
		      "Each option sets the variable the library reads (--scope: RWSHIM_SCOPE);\n"
		      "the library works without this command too, as LD_PRELOAD=LIB COMMAND\n"
		      "with LIB the installed library:\n"
		      "  " PKGLIBDIR "/librwshim.so\n"
		      "RWSHIM_LIBRARY=FILE names the library to preload. Statically linked,\n"
		      "setuid and setgid programs cannot be reached.\n\n"
		      "Exit status: 125 if rwshim fails, 126 if COMMAND cannot be run, 127 if\n"
		      "it is not found, else COMMAND's status; if COMMAND was killed by a\n"
		      "signal, rwshim dies of the same signal.\n\n"
		      "Full documentation: man rwshim, man librwshim.\n",
		      stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EXIT_FAIL, "write error: %s", strerror(errno));
	exit(0);
}

/**
 * Parse the options in @argv: long options only, "--opt=value" or
 * "--opt value", up to the first non-option or "--". Exits on --help,
 * --version and on errors. Then checks the RWSHIM_* variables no option
 * replaced, so a bad one stops the command as a bad option would.
 * Returns the index of COMMAND in @argv.
 */
static int parse_options(int argc, char **argv)
{
	int given[RW_SET_COUNT] = { 0 };
	char what[32], err[256];
	int i, s;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *value = NULL;
		const struct rw_option *o = NULL;
		size_t len, k;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (a[1] != '-')
			die(EXIT_FAIL, "unrecognized option '%s'" TRY, a);
		eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (!eq && (!strcmp(a + 2, "help") || !strcmp(a + 2, "version")))
			info(a[2] == 'v');
		for (k = 0; k < RW_ARRAY_LEN(options) && !o; k++)
			if (strlen(options[k].name) == len && !strncmp(a + 2, options[k].name, len))
				o = &options[k];
		if (!o)
			die(EXIT_FAIL, "unrecognized option '%s'" TRY, a);
		if (o->reserved)
			die(EXIT_FAIL, "--%s: not available in this version", o->name);
		if (eq)
			value = eq + 1;
		if (o->arg == ARG_NONE && eq)
			die(EXIT_FAIL, "option '--%s' doesn't allow an argument" TRY, o->name);
		if (o->arg == ARG_REQUIRED && !eq) {
			if (i + 1 >= argc)
				die(EXIT_FAIL, "option '--%s' requires an argument" TRY, o->name);
			value = argv[++i];
		}
		if (!value)
			value = "1";
		/* Check it as the library will, then hand it on. */
		snprintf(what, sizeof(what), "--%s", o->name);
		if (rw_config_set(&cfg, o->setting, what, value, err, sizeof(err)) < 0)
			die(EXIT_FAIL, "%s", err);
		if (setenv(rw_config_env_name(o->setting), value, 1) < 0)
			die(EXIT_FAIL, "%s: %s", what, strerror(errno));
		given[o->setting] = 1;
	}

	for (s = 0; s < RW_SET_COUNT; s++) {
		const char *name = rw_config_env_name((enum rw_setting)s);
		const char *value = getenv(name);

		if (!given[s] && value &&
		    rw_config_set(&cfg, (enum rw_setting)s, name, value, err, sizeof(err)) < 0)
			die(EXIT_FAIL, "%s", err);
	}
	/* An unusable folder is the command's own error: say so before running. */
	if (cfg.tmpdir[0]) {
		struct stat st;
		const char *what = given[RW_SET_TMPDIR] ? "--tmpdir" : rw_config_env_name(RW_SET_TMPDIR);

		if (stat(cfg.tmpdir, &st) < 0)
			die(EXIT_FAIL, "%s: %s: %s", what, cfg.tmpdir, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			die(EXIT_FAIL, "%s: %s: %s", what, cfg.tmpdir, strerror(ENOTDIR));
		if (rw_tmpdir_unsafe(st.st_uid, st.st_mode, geteuid()))
			die(EXIT_FAIL, "%s: %s: %s", what, cfg.tmpdir, RW_TMPDIR_UNSAFE_WHY);
		if (access(cfg.tmpdir, W_OK | X_OK) < 0)
			die(EXIT_FAIL, "%s: %s: %s", what, cfg.tmpdir, strerror(errno));
	}
	return i;
}

/** Say why @cmd cannot be run (@err) and exit 127 if it was not found, else 126. */
static void cannot_run(const char *cmd, int err)
{
	die(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, "%s: %s", cmd, strerror(err));
}

/** Return 0 if @path could be executed, else the errno execve would give. */
static int runnable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
		return EACCES;
	return 0;
}

/**
 * Find @cmd as execvp would: as given when it holds a '/', else in $PATH.
 * Writes the file into @buf (@size bytes).
 * Returns 0, ENOENT when nothing was found, EACCES when only files that
 * cannot be executed were, or another errno of the named file.
 */
static int resolve(const char *cmd, char *buf, size_t size)
{
	const char *path = getenv("PATH"), *p, *end;
	int found = ENOENT;

	if (strchr(cmd, '/')) {
		if ((size_t)snprintf(buf, size, "%s", cmd) >= size)
			return ENAMETOOLONG;
		return runnable(buf);
	}
	if (!path)
		path = "/bin:/usr/bin";
	for (p = path;; p = end + 1) {
		int dlen, r;

		end = strchrnul(p, ':');
		dlen = (int)(end - p);
		/* An empty entry is the current folder. */
		r = snprintf(buf, size, "%.*s%s%s", dlen, p, dlen ? "/" : "", cmd);
		if (r >= 0 && (size_t)r < size) {
			r = runnable(buf);
			if (!r)
				return 0;
			if (r == EACCES)
				found = EACCES;
		}
		if (!*end)
			return found;
	}
}

/** Return 1 if @path is an ELF program with no PT_INTERP (statically linked). */
static int is_static_elf(const char *path)
{
	union {
		unsigned char id[EI_NIDENT];
		Elf32_Ehdr e32;
		Elf64_Ehdr e64;
	} h;
	int fd = open(path, O_RDONLY | O_CLOEXEC), wide, ret = 0;
	unsigned num, size, i;
	uint64_t off;
	uint32_t type;

	if (fd < 0)
		return 0; /* an execute-only file cannot be looked at: say nothing */
	memset(&h, 0, sizeof(h));
	wide = pread(fd, &h, sizeof(h), 0) == sizeof(h.e64) && h.id[EI_CLASS] == ELFCLASS64;
	if (memcmp(h.id, ELFMAG, SELFMAG) != 0 || (!wide && h.id[EI_CLASS] != ELFCLASS32) ||
	    h.id[EI_DATA] != ELFDATA_NATIVE || (h.e32.e_type != ET_EXEC && h.e32.e_type != ET_DYN))
		goto out;
	off = wide ? h.e64.e_phoff : h.e32.e_phoff;
	num = wide ? h.e64.e_phnum : h.e32.e_phnum;
	size = wide ? h.e64.e_phentsize : h.e32.e_phentsize;
	/* p_type is the first word of a program header in both classes. */
	for (i = 0; i < num; i++, off += size)
		if (pread(fd, &type, sizeof(type), (off_t)off) != sizeof(type) || type == PT_INTERP)
			goto out;
	ret = 1;
out:
	close(fd);
	return ret;
}

/**
 * Say so, in one line, when the loader will not preload the library into
 * @file (COMMAND @cmd): it is statically linked, or running it changes
 * user or group (the loader then drops LD_PRELOAD). COMMAND still runs.
 */
static void warn_unreachable(const char *cmd, const char *file)
{
	struct stat st;
	struct statvfs vfs;
	const char *what = NULL;

	if (is_static_elf(file))
		fprintf(stderr, "rwshim: warning: %s is statically linked; LD_PRELOAD cannot "
				"reach it, so its writes are not redirected\n", cmd);
	if (stat(file, &st) < 0 || (statvfs(file, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)))
		return;
	if ((st.st_mode & S_ISUID) && st.st_uid != getuid())
		what = "setuid";
	else if ((st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP) && st.st_gid != getgid())
		what = "setgid";
	if (what)
		fprintf(stderr, "rwshim: warning: %s is %s; the loader drops LD_PRELOAD for it, "
				"so its writes are not redirected\n", cmd, what);
}

/**
 * Find librwshim.so: $RWSHIM_LIBRARY, else beside this program (the build
 * tree keeps it in .libs), else the installed one in PKGLIBDIR.
 * Returns its absolute path, in @buf (@size bytes) or static; exits if none.
 */
static const char *find_library(char *buf, size_t size)
{
	const char *env = getenv("RWSHIM_LIBRARY");
	static const char *const beside[] = { "/.libs/" LIBRARY, "/" LIBRARY };
	char exe[PATH_MAX];
	struct stat st;
	ssize_t n;
	size_t i;

	if (env && *env) {
		if (env[0] != '/' || stat(env, &st) < 0 || !S_ISREG(st.st_mode))
			die(EXIT_FAIL, "RWSHIM_LIBRARY: expected an absolute path to a file, "
				       "got '%s'", env);
		return env;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0 && (exe[n] = '\0', strrchr(exe, '/'))) {
		*strrchr(exe, '/') = '\0';
		for (i = 0; i < RW_ARRAY_LEN(beside); i++)
			if ((size_t)snprintf(buf, size, "%s%s", exe, beside[i]) < size &&
			    stat(buf, &st) == 0 && S_ISREG(st.st_mode))
				return buf;
	}
	if (stat(PKGLIBDIR "/" LIBRARY, &st) == 0)
		return PKGLIBDIR "/" LIBRARY;
	die(EXIT_FAIL, "cannot find %s beside this program or in %s (set RWSHIM_LIBRARY)",
	    LIBRARY, PKGLIBDIR);
}

/** Put @lib first in LD_PRELOAD, keeping the other entries once each. */
static void preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD"), *p;
	size_t ll = strlen(lib);
	char *val, *q;

	/* The loader splits LD_PRELOAD at both ' ' and ':'. */
	if (strpbrk(lib, " :"))
		die(EXIT_FAIL, "%s: cannot preload a path that holds ' ' or ':'", lib);
	if (!old)
		old = "";
	val = malloc(ll + strlen(old) + 2);
	if (!val)
		die(EXIT_FAIL, "%s", strerror(ENOMEM));
	memcpy(val, lib, ll);
	q = val + ll;
	for (p = old; *p;) {
		size_t n = strcspn(p, " :");

		if (n && !(n == ll && !memcmp(p, lib, ll))) {
			*q++ = ':';
			memcpy(q, p, n);
			q += n;
		}
		p += n + (p[n] != '\0');
	}
	*q = '\0';
	if (setenv("LD_PRELOAD", val, 1) < 0)
		die(EXIT_FAIL, "LD_PRELOAD: %s", strerror(errno));
	free(val);
}

/**
 * Forward a signal to COMMAND. One the terminal sent (SI_KERNEL) went to
 * the whole foreground process group, so COMMAND has it already.
 */
static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (si && si->si_code == SI_KERNEL)
		return;
	if (target > 0)
		kill((pid_t)target, sig);
}

/** Die of @sig as COMMAND did, without leaving a core file; else exit 128+@sig. */
static void die_of_signal(int sig)
{
	struct rlimit none = { 0, 0 };
	sigset_t set;

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* Still here: PID 1 of a namespace ignores signals it does not handle. */
	exit(128 + sig);
}

/**
 * Run @argv as a child, forward signals to it, and reap every process that
 * ends up ours (we are a child subreaper) until none is left.
 * Returns COMMAND's exit status, or dies of its signal.
 */
static int run(char **argv)
{
	struct sigaction sa, old;
	sigset_t fwd, saved;
	int pfd[2], err = 0, status = -1, st;
	pid_t child, pid;
	ssize_t n;
	size_t i;

	/* An inherited SIG_IGN for SIGCHLD would make the kernel reap for us. */
	signal(SIGCHLD, SIG_DFL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		fprintf(stderr, "rwshim: warning: cannot wait for orphaned descendants: %s\n",
			strerror(errno));
	if (pipe2(pfd, O_CLOEXEC) < 0)
		die(EXIT_FAIL, "pipe: %s", strerror(errno));

	/* Block the forwarded signals until the handler knows whom to forward to. */
	sigemptyset(&fwd);
	for (i = 0; i < RW_ARRAY_LEN(forwarded); i++)
		sigaddset(&fwd, forwarded[i]);
	sigprocmask(SIG_BLOCK, &fwd, &saved);
	fflush(NULL);
	child = fork();
	if (child < 0)
		die(EXIT_FAIL, "fork: %s", strerror(errno));
	if (child == 0) {
		close(pfd[0]);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		execvp(argv[0], argv);
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) < 0)
			err = errno;
		_exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
	}
	close(pfd[1]);
	target = child;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < RW_ARRAY_LEN(forwarded); i++) {
		/* A signal ignored when we started stays ignored, as a shell would leave it. */
		if (sigaction(forwarded[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(forwarded[i], &sa, NULL);
	}
	sigprocmask(SIG_UNBLOCK, &fwd, NULL);

	/* The pipe closes on a successful exec, or carries execvp's errno. */
	while ((n = read(pfd[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(pfd[0]);

	/* Reap until ECHILD: COMMAND, the orphans reparented to us, the library's helper. */
	while ((pid = waitpid(-1, &st, __WALL)) > 0 || errno == EINTR)
		if (pid == child) {
			target = 0;
			status = st;
		}
	if (n == (ssize_t)sizeof(err))
		cannot_run(argv[0], err);
	if (status == -1)
		die(EXIT_FAIL, "lost track of %s", argv[0]);
	if (WIFSIGNALED(status))
		die_of_signal(WTERMSIG(status));
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	char file[PATH_MAX], lib[PATH_MAX];
	int first, e;

	rw_config_defaults(&cfg);
	first = parse_options(argc, argv);
	if (first >= argc)
		die(EXIT_FAIL, "missing COMMAND" TRY);
	e = resolve(argv[first], file, sizeof(file));
	if (e)
		cannot_run(argv[first], e);
	preload(find_library(lib, sizeof(lib)));
	warn_unreachable(argv[first], file);
	return run(argv + first);
}
