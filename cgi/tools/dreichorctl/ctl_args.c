/* ctl_args.c: dreichorctl's options, before and after the command, the
 * environment's defaults, and the checks made before any request: the
 * URL's scheme, the service-token id and its secret. */

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cgi.h"
#include "config.h"
#include "error.h"
#include "number.h"

#include "ctl.h"

#define CTL_DEFAULT_TIMEOUT 1800L
#define CTL_LIMIT_MAX 200L  /* the agent's own cap on /v1/deploys?limit= */
#define CTL_KEY_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-"

static const struct option ctl_options[] = {
	{ "url", required_argument, NULL, 'u' },         { "client-id", required_argument, NULL, 'i' },
	{ "secret-file", required_argument, NULL, 'f' }, { "environment", required_argument, NULL, 'e' },
	{ "timeout", required_argument, NULL, 't' },     { "json", no_argument, NULL, 'j' },
	{ "wait-running", no_argument, NULL, 'w' },      { "secret", required_argument, NULL, 's' },
	{ "expect-current", required_argument, NULL, 'x' }, { "previous", no_argument, NULL, 'p' },
	{ "limit", required_argument, NULL, 'l' },       { "help", no_argument, NULL, 'h' },
	{ "sync", no_argument, NULL, 'S' },              { "idempotency-key", required_argument, NULL, 'k' },
	{ NULL, 0, NULL, 0 },
};

int ctl_usage(const char *why)
{
	if (why)
		fprintf(stderr, "dreichorctl: %s\n", why);
	fprintf(stderr,
		"usage: dreichorctl [options] deploy IMAGE [--environment ENV] [--wait-running] [--expect-current DIGEST|none]\n"
		"                                        [--sync] [--idempotency-key KEY]\n"
		"       dreichorctl [options] deploy --previous [--wait-running]\n"
		"       dreichorctl [options] plan IMAGE [--expect-current DIGEST|none]\n"
		"       dreichorctl [options] history [--limit N]\n"
		"       dreichorctl [options] status\n"
		"       dreichorctl [options] stop\n"
		"options: --url URL (or DREICHOR_URL)  --client-id ID (or CF_ACCESS_CLIENT_ID)\n"
		"         --secret-file FILE (or CF_ACCESS_CLIENT_SECRET)  --json  --timeout SECONDS\n");
	return CTL_EXIT_USAGE;
}

void ctl_args_wipe(struct ctl_args *a)
{
	if (!a)
		return;
	explicit_bzero(a->secret, sizeof a->secret);
}

static int ctl_read_secret_file(struct ctl_args *a, const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(a->secret, 1, CTL_SECRET_MAX + 1, f);
	fclose(f);
	if (n > CTL_SECRET_MAX)
		return -1;
	while (n > 0 && (a->secret[n - 1] == '\n' || a->secret[n - 1] == '\r'))
		n--;
	a->secret[n] = '\0';
	return 0;
}

/* The secret goes over https, or over http only to this machine (a tunnel's local end, a test). */
static int ctl_url_safe(const char *url)
{
	static const char *const loopback[] = { "http://127.", "http://localhost:", "http://localhost/", "http://[::1]" };
	size_t i;

	if (!strncasecmp(url, "https://", 8))
		return 1;
	for (i = 0; i < sizeof loopback / sizeof *loopback; i++)
		if (!strncasecmp(url, loopback[i], strlen(loopback[i])))
			return 1;
	return !strcasecmp(url, "http://localhost");
}

/* An option that may come before or after the command; -1 for a bad --limit or key. */
static int ctl_command_option(struct ctl_args *a, int opt, const char *arg)
{
	switch (opt) {
	case 'w': a->wait_running = 1; break;
	case 'j': a->json = 1; break;
	case 'e': a->environment = arg; break;
	case 'x': a->expect_current = arg; break;
	case 'p': a->previous = 1; break;
	case 'S': a->sync = 1; break;
	case 'k':
		if (dr_strlcpy(a->idempotency_key, arg, sizeof a->idempotency_key) || !arg[0] ||
		    strspn(arg, CTL_KEY_CHARS) != strlen(arg))
			return -1;
		break;
	case 'l': return dr_parse_long(arg, 1, CTL_LIMIT_MAX, &a->limit);
	default: return -1;
	}
	return 0;
}

/* One option before the command; CTL_ARGS_RUN to go on, else the exit code. */
static int ctl_leading_option(struct ctl_args *a, int opt, const char **secret_file)
{
	switch (opt) {
	case 'u': a->url = optarg; break;
	case 'i': a->client_id = optarg; break;
	case 'f': *secret_file = optarg; break;
	case 'e': case 'j': case 'w': case 'x': case 'p': case 'l': case 'S': case 'k':
		if (ctl_command_option(a, opt, optarg))
			return ctl_usage("--limit takes a number from 1 to 200; --idempotency-key 1 to 64 of A-Z a-z 0-9 . _ : -");
		break;
	case 't':
		if (dr_parse_long(optarg, 1, LONG_MAX, &a->timeout))
			return ctl_usage("--timeout takes a positive number of seconds");
		break;
	case 's':
		explicit_bzero(optarg, strlen(optarg));
		return ctl_usage("the secret is never accepted on the command line; use CF_ACCESS_CLIENT_SECRET or --secret-file");
	case 'h': ctl_usage(NULL); return CTL_EXIT_OK;
	default: return ctl_usage(NULL);
	}
	return CTL_ARGS_RUN;
}

/* Where the agent is and who asks: checked before anything is sent. */
static int ctl_args_check(struct ctl_args *a, const char *secret_file)
{
	const char *env_secret = dr_env("CF_ACCESS_CLIENT_SECRET");

	if (!a->url || !a->url[0])
		return ctl_usage("no agent URL: set DREICHOR_URL or --url");
	if (!ctl_url_safe(a->url))
		return ctl_usage("the agent URL must be https:// (http:// only to 127.0.0.1, localhost or [::1]): "
				 "the service token would travel in clear text");
	if (!a->client_id || !a->client_id[0])
		return ctl_usage("no service-token id: set CF_ACCESS_CLIENT_ID or --client-id");
	if (secret_file ? ctl_read_secret_file(a, secret_file)
			: dr_strlcpy(a->secret, env_secret ? env_secret : "", sizeof a->secret))
		return ctl_usage("cannot read the service-token secret");
	if (!a->secret[0])
		return ctl_usage("no service-token secret: set CF_ACCESS_CLIENT_SECRET or --secret-file");
	return CTL_ARGS_RUN;
}

/* Options after the command and around its one argument (deploy IMAGE --wait-running). */
static int ctl_trailing(struct ctl_args *a, int argc, char **argv)
{
	int opt, pass;

	for (pass = 0; pass < 2; pass++) {
		while ((opt = getopt_long(argc, argv, "+", ctl_options, NULL)) != -1)
			if (ctl_command_option(a, opt, optarg))
				return ctl_usage("unexpected option or argument after the command");
		if (pass == 0 && optind < argc)
			a->image = argv[optind++];
	}
	if (optind != argc)
		return ctl_usage("unexpected option or argument after the command");
	return CTL_ARGS_RUN;
}

int ctl_args_parse(struct ctl_args *a, int argc, char **argv)
{
	const char *secret_file = NULL;
	int opt, rc = CTL_ARGS_RUN;

	a->url = dr_env("DREICHOR_URL");
	a->client_id = dr_env("CF_ACCESS_CLIENT_ID");
	a->timeout = CTL_DEFAULT_TIMEOUT;
	while (rc == CTL_ARGS_RUN && (opt = getopt_long(argc, argv, "+", ctl_options, NULL)) != -1)
		rc = ctl_leading_option(a, opt, &secret_file);
	if (rc != CTL_ARGS_RUN)
		return rc;
	if (optind >= argc)
		return ctl_usage("no command given");
	a->command = argv[optind++];
	if ((rc = ctl_args_check(a, secret_file)) != CTL_ARGS_RUN || (rc = ctl_trailing(a, argc, argv)) != CTL_ARGS_RUN)
		return rc;
	/* A random key (a request id's form), so that a retried deploy request cannot deploy twice. */
	if (!a->idempotency_key[0])
		dr_request_id_new(a->idempotency_key);
	return CTL_ARGS_RUN;
}
