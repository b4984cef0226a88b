/* ctl_args.h: dreichorctl's command line and environment (DREICHOR_URL,
 * CF_ACCESS_CLIENT_ID, CF_ACCESS_CLIENT_SECRET, read through dr_env),
 * parsed into one struct. Strings point into argv or the environment; the
 * secret and the idempotency key are copies the struct holds, and the
 * owner wipes the secret with ctl_args_wipe. */
#ifndef CTL_ARGS_H
#define CTL_ARGS_H

#define CTL_SECRET_MAX 4096
#define CTL_IDEMPOTENCY_KEY_MAX 64
#define CTL_ARGS_RUN (-1)  /* ctl_args_parse: go on and run the command */

struct ctl_args {
	const char *url;             /* --url or DREICHOR_URL */
	const char *client_id;       /* --client-id or CF_ACCESS_CLIENT_ID */
	char secret[CTL_SECRET_MAX + 1]; /* --secret-file or CF_ACCESS_CLIENT_SECRET, never argv */
	const char *environment;     /* --environment, or NULL */
	long timeout;                /* --timeout, seconds per request */
	int json;                    /* --json: the agent's JSON on stdout */
	int wait_running;            /* --wait-running */
	const char *expect_current;  /* --expect-current DIGEST|none, or NULL */
	int previous;                /* deploy --previous */
	long limit;                  /* history --limit N, 0: the agent's default */
	int sync;                    /* deploy --sync: one request, no following */
	char idempotency_key[CTL_IDEMPOTENCY_KEY_MAX + 1]; /* --idempotency-key, or a random request id */
	const char *command;         /* the command's name */
	const char *image;           /* the command's one argument, or NULL */
};

/* Parse argv and the environment into a (zeroed by the caller); CTL_ARGS_RUN, or the exit code
 * to end with after the usage was printed (0 for --help). */
int ctl_args_parse(struct ctl_args *a, int argc, char **argv);

/* Print why (may be NULL) and the usage on stderr; returns CTL_EXIT_USAGE. */
int ctl_usage(const char *why);

/* Wipe the secret a holds; a may be NULL. */
void ctl_args_wipe(struct ctl_args *a);

#endif
