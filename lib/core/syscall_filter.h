/* syscall_filter.h: the system call filter a program installs on itself
 * (as OpenBSD programs pledge), instead of the unit options that had
 * systemd compile one for every start. The filters are compiled at build
 * time from syscall_filter.list (syscall_filter_export.c) and loaded with
 * one system call; a process's children and the programs it execs keep
 * them. What each profile allows: docs/architecture.md, "System calls".
 * Nothing to free. */
#ifndef DR_SYSCALL_FILTER_H
#define DR_SYSCALL_FILTER_H

enum dr_syscall_profile {
	DR_SYSCALL_AGENT,     /* the dispatcher and its endpoints: unix sockets, may exec */
	DR_SYSCALL_AGENT_NET, /* the same, with IP sockets: an endpoint that runs dreichor-registry itself
			       * (no DREICHOR_REGISTRY_SOCKET, as outside the units) */
	DR_SYSCALL_ENDPOINT,  /* an endpoint under the units: unix sockets, no exec (laid over the agent's) */
	DR_SYSCALL_GATE,      /* the Docker gate: unix sockets, no exec */
	DR_SYSCALL_REGISTRY,  /* dreichor-registry: unix and IP sockets, no exec */
};

/* The environment variable that asks for it; the units set it to "on". */
#define DR_SYSCALL_FILTER_SETTING "DREICHOR_SYSCALL_FILTER"

/* 1 when DREICHOR_SYSCALL_FILTER is "on", 0 when unset, empty or "off", -1 for any other value (a
 * typo must not turn the filter off without a word). */
int dr_syscall_filter_wanted(void);

/* Set no_new_privs and install the profile's filter: from then on a call it does not allow fails
 * with EPERM (ENOSYS for clone3 and openat2), and a call of another architecture's ABI ends the
 * process. 0, or -1 with errno. */
int dr_syscall_filter_install(enum dr_syscall_profile profile);

/* Install when wanted: 0 when not asked for, 1 when installed, -1 with *why set when asked for
 * and it could not be, or when the setting is neither on nor off. */
int dr_syscall_filter_apply(enum dr_syscall_profile profile, const char **why);

/* Lay profile over the filter this process inherited, when it inherited one (an endpoint the
 * dispatcher filtered): 0 when there was none, 1 when laid over, -1 with errno. */
int dr_syscall_filter_narrow(enum dr_syscall_profile profile);

#endif
