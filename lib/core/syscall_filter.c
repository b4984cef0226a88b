/* syscall_filter.c: load a filter the build compiled (syscall_filter.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "config.h"
#include "syscall_filter.h"

/* The tables syscall_filter_export wrote (syscall_filter_bpf.c, made by the build). */
extern const struct sock_filter dr_syscall_filter_agent[], dr_syscall_filter_agent_net[],
	dr_syscall_filter_endpoint[], dr_syscall_filter_gate[], dr_syscall_filter_registry[];
extern const size_t dr_syscall_filter_agent_len, dr_syscall_filter_agent_net_len, dr_syscall_filter_endpoint_len,
	dr_syscall_filter_gate_len, dr_syscall_filter_registry_len;

int dr_syscall_filter_wanted(void)
{
	const char *v = dr_env(DR_SYSCALL_FILTER_SETTING);

	if (!v || !v[0] || !strcmp(v, "off"))
		return 0;
	return !strcmp(v, "on") ? 1 : -1;
}

int dr_syscall_filter_install(enum dr_syscall_profile profile)
{
	const struct sock_filter *bpf;
	size_t len;
	struct sock_fprog prog;

	switch (profile) {
	case DR_SYSCALL_AGENT: bpf = dr_syscall_filter_agent; len = dr_syscall_filter_agent_len; break;
	case DR_SYSCALL_AGENT_NET: bpf = dr_syscall_filter_agent_net; len = dr_syscall_filter_agent_net_len; break;
	case DR_SYSCALL_ENDPOINT: bpf = dr_syscall_filter_endpoint; len = dr_syscall_filter_endpoint_len; break;
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
	/* prctl rather than seccomp(2): the filters allow prctl, so a filtered process can still lay a
	 * narrower one over its own (an endpoint), never a wider. */
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) ? -1 : 0;
}

int dr_syscall_filter_apply(enum dr_syscall_profile profile, const char **why)
{
	int wanted = dr_syscall_filter_wanted();

	if (wanted == 0)
		return 0;
	if (wanted < 0) {
		*why = "DREICHOR_SYSCALL_FILTER must be on or off";
		return -1;
	}
	if (dr_syscall_filter_install(profile) == 0)
		return 1;
	*why = "DREICHOR_SYSCALL_FILTER=on, but the system call filter could not be installed";
	return -1;
}

int dr_syscall_filter_narrow(enum dr_syscall_profile profile)
{
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != SECCOMP_MODE_FILTER)
		return 0;
	return dr_syscall_filter_install(profile) ? -1 : 1;
}
