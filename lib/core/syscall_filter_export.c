/* syscall_filter_export: run by the build, never installed. Compiles the
 * system call filters the programs install themselves (lib/core/syscall_filter.h)
 * with libseccomp, once, for the architecture being built, and writes them
 * as a C table of BPF instructions on stdout, so that a program loads its
 * filter with one system call and links no libseccomp.
 *   syscall_filter_export [--sanitizers] LIST > syscall_filter_bpf.c
 * --sanitizers (the ASan/UBSan test build only) also allows ptrace, which
 * LeakSanitizer's check at exit needs to stop the process's threads.
 * LIST is lib/core/syscall_filter.list. What each profile allows beyond the
 * list, and the argument rules systemd's unit options used to add as
 * filters of their own, are below. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/filter.h>
#include <seccomp.h>

#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif

#define EXPORT_NAMES_MAX 512
#define EXPORT_NAME_MAX 64
#define EXPORT_BPF_MAX (64 * 1024)

/* The namespace flags of clone (RestrictNamespaces=yes). */
#define EXPORT_CLONE_NEW (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
			  CLONE_NEWPID | CLONE_NEWNET)
#define EXPORT_SETID (S_ISUID | S_ISGID)

struct export_profile {
	const char *name;          /* dr_syscall_filter_<name> */
	int families[4];           /* socket() domains allowed, 0-terminated */
	int exec;                  /* may execve (the dispatcher execs its endpoint) */
};

static const struct export_profile export_profiles[] = {
	{ "agent", { AF_UNIX, 0 }, 1 },
	{ "agent_net", { AF_UNIX, AF_INET, AF_INET6, 0 }, 1 },
	{ "endpoint", { AF_UNIX, 0 }, 0 },
	{ "gate", { AF_UNIX, 0 }, 0 },
	{ "registry", { AF_UNIX, AF_INET, AF_INET6, 0 }, 0 },
};

static char export_names[EXPORT_NAMES_MAX][EXPORT_NAME_MAX];
static int export_sanitizers;
static int export_name_count;

static void export_die(const char *what, int rc)
{
	fprintf(stderr, "syscall_filter_export: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	exit(1);
}

static void export_read_list(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		export_die(path, errno);
	while (fgets(line, sizeof line, f)) {
		size_t n = strcspn(line, " \t\r\n");
		if (line[0] == '#' || n == 0)
			continue;
		if (n >= EXPORT_NAME_MAX || export_name_count == EXPORT_NAMES_MAX)
			export_die("a name too long or too many names", E2BIG);
		memcpy(export_names[export_name_count], line, n);
		export_names[export_name_count++][n] = '\0';
	}
	fclose(f);
}

static void export_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned count, ...)
{
	int nr = seccomp_syscall_resolve_name(name), rc;
	struct scmp_arg_cmp cmp[2];
	va_list ap;
	unsigned i;

	/* A call whose arguments a rule reads must be this architecture's own, with the argument where the
	 * rule reads it: elsewhere (socketcall, mmap2, s390's clone) the rule would be dropped or read
	 * another register, so the build stops instead (debian/control names the architectures). */
	if (nr < 0 && count > 0)
		export_die(name, ENOSYS);
	if (nr < 0) /* not a system call of this architecture */
		return;
	va_start(ap, count);
	for (i = 0; i < count && i < 2; i++)
		cmp[i] = va_arg(ap, struct scmp_arg_cmp);
	va_end(ap);
	rc = seccomp_rule_add_array(ctx, action, nr, count, cmp);
	if (rc < 0)
		export_die(name, rc);
}

/* The argument rules: a call of these names is allowed only as below, else refused (EPERM). */
static int export_argument_rules(scmp_filter_ctx ctx, const struct export_profile *p, const char *name)
{
	const uint32_t allow = SCMP_ACT_ALLOW;
	int i;

	if (!strcmp(name, "socket")) { /* RestrictAddressFamilies= */
		for (i = 0; p->families[i]; i++)
			export_rule(ctx, allow, name, 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)p->families[i]));
	} else if (!strcmp(name, "clone")) { /* RestrictNamespaces=yes */
		export_rule(ctx, allow, name, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, EXPORT_CLONE_NEW, 0));
	} else if (!strcmp(name, "mmap")) { /* MemoryDenyWriteExecute=yes: never writable and executable */
		export_rule(ctx, allow, name, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC, 0));
		export_rule(ctx, allow, name, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC, PROT_WRITE));
		export_rule(ctx, allow, name, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC, PROT_EXEC));
	} else if (!strcmp(name, "mprotect")) { /* ... and nothing made executable later */
		export_rule(ctx, allow, name, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	} else if (!strcmp(name, "chmod") || !strcmp(name, "fchmod") || !strcmp(name, "creat") ||
		   !strcmp(name, "mknod")) { /* RestrictSUIDSGID=yes: the mode is the second argument */
		export_rule(ctx, allow, name, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, EXPORT_SETID, 0));
	} else if (!strcmp(name, "fchmodat") || !strcmp(name, "fchmodat2") || !strcmp(name, "mknodat")) {
		export_rule(ctx, allow, name, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, EXPORT_SETID, 0));
	} else if (!strcmp(name, "open")) { /* a mode only matters when the call creates */
		export_rule(ctx, allow, name, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, O_CREAT | __O_TMPFILE, 0));
		export_rule(ctx, allow, name, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, EXPORT_SETID, 0));
	} else if (!strcmp(name, "openat")) {
		export_rule(ctx, allow, name, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, O_CREAT | __O_TMPFILE, 0));
		export_rule(ctx, allow, name, 1, SCMP_A3(SCMP_CMP_MASKED_EQ, EXPORT_SETID, 0));
	} else if (!strcmp(name, "personality")) { /* LockPersonality=yes: Linux's own, or the query */
		export_rule(ctx, allow, name, 1, SCMP_A0(SCMP_CMP_EQ, 0));
		export_rule(ctx, allow, name, 1, SCMP_A0(SCMP_CMP_EQ, 0xffffffffu));
	} else if (!strcmp(name, "execve")) {
		if (p->exec)
			export_rule(ctx, allow, name, 0);
	} else {
		return 0;
	}
	return 1;
}

static void export_profile(const struct export_profile *p)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	static unsigned char bpf[EXPORT_BPF_MAX];
	FILE *tmp = tmpfile();
	size_t len, i;
	int n, rc;

	if (!ctx || !tmp)
		export_die("seccomp_init", ENOMEM);
	/* SystemCallArchitectures=native: a call of another ABI ends the process. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
		export_die("the bad-architecture action", rc);
	/* A binary tree of the allowed numbers: each call walks a few instructions, not hundreds. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		export_die("the binary tree", rc);
	for (n = 0; n < export_name_count; n++)
		if (!export_argument_rules(ctx, p, export_names[n]))
			export_rule(ctx, SCMP_ACT_ALLOW, export_names[n], 0);
	/* As systemd answers them, so that the C library falls back to clone and openat. */
	export_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0);
	if (export_sanitizers)
		export_rule(ctx, SCMP_ACT_ALLOW, "ptrace", 0);
	export_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "openat2", 0);
	if ((rc = seccomp_export_bpf(ctx, fileno(tmp))) < 0)
		export_die("seccomp_export_bpf", rc);
	rewind(tmp);
	len = fread(bpf, 1, sizeof bpf, tmp);
	if (len == 0 || len == sizeof bpf || len % sizeof (struct sock_filter))
		export_die("the exported filter's size", EINVAL);
	printf("const struct sock_filter dr_syscall_filter_%s[] = {\n", p->name);
	for (i = 0; i < len; i += sizeof (struct sock_filter)) {
		struct sock_filter insn;
		memcpy(&insn, bpf + i, sizeof insn);
		printf("\t{ 0x%04x, %u, %u, 0x%08x },\n", insn.code, insn.jt, insn.jf, insn.k);
	}
	printf("};\nconst size_t dr_syscall_filter_%s_len = %zu;\n\n", p->name, len / sizeof (struct sock_filter));
	fclose(tmp);
	seccomp_release(ctx);
}

int main(int argc, char **argv)
{
	size_t i;

	export_sanitizers = argc == 3 && !strcmp(argv[1], "--sanitizers");
	if (argc != 2 + export_sanitizers) {
		fprintf(stderr, "usage: syscall_filter_export [--sanitizers] LIST\n");
		return 2;
	}
#if !defined(__x86_64__) && !defined(__aarch64__)
#error "the argument rules are written for x86-64 and arm64 (clone's flags first, mmap, socket)"
#endif
	export_read_list(argv[1 + export_sanitizers]);
	printf("/* Generated by syscall_filter_export from syscall_filter.list: the system call filters\n"
	       " * as BPF instructions. Do not edit. */\n"
	       "#include <stddef.h>\n\n#include <linux/filter.h>\n\n");
	for (i = 0; i < sizeof export_profiles / sizeof *export_profiles; i++)
		export_profile(&export_profiles[i]);
	return 0;
}
