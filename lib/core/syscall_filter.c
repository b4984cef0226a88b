/* syscall_filter.c: load a filter the build compiled (syscall_filter.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "config.h"
#include "syscall_filter.h"

/* The tables syscall_filter_export wrote (syscall_filter_bpf.c, made by the build). */
extern const struct sock_filter dr_syscall_filter_agent[], dr_syscall_filter_agent_net[], dr_syscall_filter_gate[],
	dr_syscall_filter_registry[];
extern const size_t dr_syscall_filter_agent_len, dr_syscall_filter_agent_net_len, dr_syscall_filter_gate_len,
	dr_syscall_filter_registry_len;

int dr_syscall_filter_wanted(void)
{
	const char *v = dr_env(DR_SYSCALL_FILTER_SETTING);

	return v && !strcmp(v, "on");
}

int dr_syscall_filter_install(enum dr_syscall_profile profile)
{
	const struct sock_filter *bpf;
	size_t len;
	struct sock_fprog prog;

	switch (profile) {
	case DR_SYSCALL_AGENT: bpf = dr_syscall_filter_agent; len = dr_syscall_filter_agent_len; break;
	case DR_SYSCALL_AGENT_NET: bpf = dr_syscall_filter_agent_net; len = dr_syscall_filter_agent_net_len; break;
	case DR_SYSCALL_GATE: bpf = dr_syscall_filter_gate; len = dr_syscall_filter_gate_len; break;
	case DR_SYSCALL_REGISTRY: bpf = dr_syscall_filter_registry; len = dr_syscall_filter_registry_len; break;
	default: errno = EINVAL; return -1;
	}
	if (len == 0 || len > BPF_MAXINSNS) {
		errno = EINVAL;
		return -1;
	}
	prog.len = (unsigned short)len;
	prog.filter = (struct sock_filter *)(uintptr_t)bpf; /* the kernel only reads it */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -1 : 0;
}

int dr_syscall_filter_apply(enum dr_syscall_profile profile, const char **why)
{
	if (!dr_syscall_filter_wanted())
		return 0;
	if (dr_syscall_filter_install(profile) == 0)
		return 1;
	*why = "DREICHOR_SYSCALL_FILTER=on, but the system call filter could not be installed";
	return -1;
}
