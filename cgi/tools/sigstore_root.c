/* dreichor-sigstore-root: keeps a Sigstore trusted_root.json fresh from a
 * TUF repository (docs/signatures.md): a TUF
 * client (spec 1.0.x, detailed client workflow, lib/tuf/update.c) for one
 * repository and its one target, trusted_root.json, run by a timer.
 *   dreichor-sigstore-root [--env-file FILE] [--state-dir DIR] [--cacert FILE]
 * Settings: SIGSTORE_TUF_URL (default https://tuf-repo-cdn.sigstore.dev),
 * SIGSTORE_TUF_ROOT (the pinned root; default the packaged one of the two
 * known repositories), from the environment or, with --env-file, from that
 * file only. The state directory holds the trusted metadata, the target
 * and refresh.json; every file is replaced atomically, and only after the
 * whole run passed: a refusal keeps every file as it was, but a newer root
 * already verified (TUF 5.3.8).
 * Exit codes: 0 refreshed (or already current), 1 refused or failed (the
 * last good files kept), 100 usage or settings. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>

#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "error.h"
#include "env_file.h"
#include "fetch.h"
#include "landlock.h"
#include "mask.h"
#include "signatures.h"
#include "sigstore_refresh.h"
#include "store.h"
#include "syscall_filter.h"
#include "trusted_root.h"
#include "update.h"

#define ROOT_EXIT_FAILED 1
#define ROOT_EXIT_USAGE 100
#define ROOT_NAME "dreichor-sigstore-root"
#define ROOT_TARGET DR_SIGSTORE_ROOT_FILE
#define ROOT_DEFAULT_URL "https://tuf-repo-cdn.sigstore.dev"
#define ROOT_MESSAGE_MAX 600   /* bytes of outside text in one message line */
#define ROOT_PATH_MAX 1024
#define ROOT_STATE_MODE 0755

#ifndef DR_TUF_ROOT_DIR
#define DR_TUF_ROOT_DIR "/usr/share/dreichor-agent/tuf"
#endif

/* The repositories whose pinned root the package carries (DR_TUF_ROOT_DIR/HOST.root.json). */
static const char *const root_known_hosts[] = { "tuf-repo-cdn.sigstore.dev", "tuf-repo.github.com" };

static const char *const root_metadata_files[DR_TUF_ROLES] = { "root.json", "timestamp.json", "snapshot.json",
							       "targets.json" };

/* What the program reads besides its own files: libraries, TLS trust, the resolver. */
static const char *const root_system_reads[] = {
	"/etc/ld.so.cache", "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/etc/localtime", "/usr/share/zoneinfo",
	"/proc", "/dev/urandom", "/etc/ssl", "/usr/share/ca-certificates", "/etc/gnutls/config",
	"/etc/nsswitch.conf", "/etc/host.conf", "/etc/hosts", "/etc/resolv.conf", "/etc/gai.conf",
};

struct root_run {
	const char *env_file, *state_dir, *cacert;   /* arguments */
	char url[DR_ENV_VALUE_MAX];                  /* SIGSTORE_TUF_URL */
	char pinned[ROOT_PATH_MAX];                  /* SIGSTORE_TUF_ROOT, or the packaged root */
	char host[DR_TUF_HOST_MAX];
	struct dr_sigstore_refresh last;             /* refresh.json of the last success (empty: none) */
	int have_target;                             /* the state holds a trusted_root.json */
	struct dr_buf installed;                     /* its bytes */
	struct dr_tuf_update u;
	int unchanged;                               /* the target's bytes are those installed */
};

/* One line on stderr, its outside text (why) masked, cut and made printable; returns code. */
static int root_say(int code, const char *what, const char *why, const char *tail)
{
	struct dr_buf clean;

	dr_buf_init(&clean, ROOT_MESSAGE_MAX + 1);
	if (why)
		dr_text_clean(NULL, why, strlen(why), ROOT_MESSAGE_MAX, 0, &clean);
	fprintf(stderr, ROOT_NAME ": %s%s%s%s\n", what, why ? ": " : "", dr_buf_str(&clean), tail ? tail : "");
	dr_buf_free(&clean);
	return code;
}

static int root_usage(const char *why)
{
	if (why)
		root_say(ROOT_EXIT_USAGE, why, NULL, NULL);
	fprintf(stderr, "usage: " ROOT_NAME " [--env-file FILE] [--state-dir DIR] [--cacert FILE]\n"
			"  SIGSTORE_TUF_URL (default " ROOT_DEFAULT_URL "), SIGSTORE_TUF_ROOT (the pinned root.json)\n");
	return ROOT_EXIT_USAGE;
}

/* A refusal: what failed, why, and what was kept. */
static int root_refuse(struct root_run *r, const char *step, const char *why)
{
	char tail[DR_TIME_ISO_MAX + 64];

	if (r->have_target && r->last.refreshed[0])
		snprintf(tail, sizeof tail, "; kept the trusted root refreshed %s", r->last.refreshed);
	else
		snprintf(tail, sizeof tail, "; no trusted root written yet");
	return root_say(ROOT_EXIT_FAILED, step, why, tail);
}

static int root_args(struct root_run *r, int argc, char **argv)
{
	int i;

	r->state_dir = DR_SIGSTORE_STATE_DIR;
	for (i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--env-file"))
			r->env_file = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--state-dir"))
			r->state_dir = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--cacert"))
			r->cacert = argv[++i];
		else
			return root_usage(NULL);
	}
	if (r->state_dir[0] != '/' || strlen(r->state_dir) >= DR_TUF_DIR_MAX)
		return root_usage("--state-dir must be an absolute path");
	return 0;
}

/* SIGSTORE_TUF_URL and SIGSTORE_TUF_ROOT from the environment, or from --env-file alone. */
static int root_settings_read(struct root_run *r, char root[DR_ENV_VALUE_MAX])
{
	static const char *const names[] = { "SIGSTORE_TUF_URL", "SIGSTORE_TUF_ROOT" };
	char values[2][DR_ENV_VALUE_MAX] = { "", "" };
	const char *v;

	if (r->env_file) {
		if (dr_env_file_read(r->env_file, names, 2, values))
			return root_say(ROOT_EXIT_USAGE, "--env-file: cannot read it whole, or systemd would read it otherwise",
					r->env_file, NULL);
	} else {
		if ((v = dr_env(names[0])))
			dr_strlcpy(values[0], v, sizeof values[0]);
		if ((v = dr_env(names[1])))
			dr_strlcpy(values[1], v, sizeof values[1]);
	}
	snprintf(r->url, sizeof r->url, "%s", values[0][0] ? values[0] : ROOT_DEFAULT_URL);
	memcpy(root, values[1], DR_ENV_VALUE_MAX);
	return 0;
}

static int root_settings(struct root_run *r)
{
	char root[DR_ENV_VALUE_MAX], why[DR_TUF_WHY_MAX];
	size_t i;
	int rc;

	if ((rc = root_settings_read(r, root)))
		return rc;
	if (dr_tuf_url_check(r->url, r->host, why, sizeof why))
		return root_say(ROOT_EXIT_USAGE, "SIGSTORE_TUF_URL", why, NULL);
	if (root[0]) {
		if (root[0] != '/')
			return root_say(ROOT_EXIT_USAGE, "SIGSTORE_TUF_ROOT must be an absolute path", NULL, NULL);
		snprintf(r->pinned, sizeof r->pinned, "%s", root);
		return 0;
	}
	for (i = 0; i < sizeof root_known_hosts / sizeof *root_known_hosts; i++)
		if (!strncmp(r->url, "https://", 8) && !strcmp(r->host, root_known_hosts[i])) {
			snprintf(r->pinned, sizeof r->pinned, "%s/%s.root.json", DR_TUF_ROOT_DIR, r->host);
			return 0;
		}
	return root_say(ROOT_EXIT_USAGE, "SIGSTORE_TUF_ROOT is not set, and the package pins no root for this host",
			r->host, NULL);
}

/* DREICHOR_SYSCALL_FILTER and DREICHOR_LANDLOCK (the units set both "on"): 0, or the exit code. */
static int root_sandbox(struct root_run *r)
{
	const char *mode = dr_env("DREICHOR_LANDLOCK");
	const char *reads[sizeof root_system_reads / sizeof *root_system_reads + 4];
	const char *writes[] = { r->state_dir, NULL };
	size_t n = 0, i;
	int rc;

	if (mkdir(r->state_dir, ROOT_STATE_MODE) && errno != EEXIST)
		return root_say(ROOT_EXIT_FAILED, "cannot create the state directory", r->state_dir, NULL);
	if (mode && mode[0] && strcmp(mode, "on") && strcmp(mode, "off"))
		return root_say(ROOT_EXIT_USAGE, "DREICHOR_LANDLOCK must be on or off", NULL, NULL);
	if (!mode || strcmp(mode, "on"))
		return 0;
	for (i = 0; i < sizeof root_system_reads / sizeof *root_system_reads; i++)
		reads[n++] = root_system_reads[i];
	reads[n++] = r->pinned; /* the .env was read before: not among the reads */
	if (r->cacert)
		reads[n++] = r->cacert;
	reads[n] = NULL;
	rc = dr_landlock_confine(reads, writes);
	if (rc)
		return root_say(ROOT_EXIT_FAILED, rc == 1 ? "DREICHOR_LANDLOCK=on, but the kernel offers no Landlock" :
							   "DREICHOR_LANDLOCK=on, but the Landlock ruleset could not be applied",
				NULL, NULL);
	return 0;
}

/* The pinned root: read and decoded (its own threshold checked); 0 with *version, or the exit code. */
static int root_pinned(struct root_run *r, struct dr_buf *bytes, long long *version)
{
	struct dr_tuf_metadata *md = NULL;
	char why[DR_TUF_WHY_MAX];
	int rc;

	rc = dr_tuf_store_read_file(r->pinned, DR_TUF_ROOT_FILE_MAX, bytes, why, sizeof why);
	if (rc)
		return rc > 0 ? root_say(ROOT_EXIT_USAGE, "the pinned root does not exist", r->pinned, NULL) :
				root_say(ROOT_EXIT_USAGE, "the pinned root", why, NULL);
	if (dr_tuf_metadata_parse(dr_buf_str(bytes), bytes->len, DR_TUF_ROOT, &md, why, sizeof why) ||
	    dr_tuf_signatures_check(md, DR_TUF_ROOT, md, why, sizeof why)) {
		dr_tuf_metadata_free(md);
		return root_say(ROOT_EXIT_USAGE, r->pinned, why, NULL);
	}
	*version = md->version;
	dr_tuf_metadata_free(md);
	return 0;
}

/* What the state holds: refresh.json, the installed target. */
static void root_state_last(struct root_run *r)
{
	struct dr_buf b;
	char why[DR_TUF_WHY_MAX];

	if (dr_tuf_store_read(r->state_dir, DR_SIGSTORE_REFRESH_FILE, DR_SIGSTORE_REFRESH_MAX, &b, why, sizeof why) ||
	    dr_sigstore_refresh_parse(dr_buf_str(&b), b.len, &r->last))
		memset(&r->last, 0, sizeof r->last);
	dr_buf_free(&b);
	r->have_target = !dr_tuf_store_read(r->state_dir, ROOT_TARGET, DR_TUF_TARGET_FILE_MAX, &r->installed, why,
					    sizeof why);
	if (r->have_target)
		dr_tuf_update_offer_target(&r->u, dr_buf_str(&r->installed), r->installed.len);
}

/* The trusted start: the state's root when refresh.json names this repository and it is no older
 * than the pinned one, else the pinned root (no state yet, another repository, or an operator's
 * newer pin, say to mend a broken chain). For this repository the state's timestamp, snapshot and
 * targets are offered either way: the versions they hold are the floor a rollback is judged by,
 * and a newer pin must not lower it (the offer holds only where the start root's keys verify
 * them; where those keys changed, TUF drops them too). 0 or the exit code. */
static int root_start(struct root_run *r)
{
	struct dr_buf pinned, b;
	long long pinned_version = 0;
	char why[DR_TUF_WHY_MAX];
	int rc, role, ours = !strcmp(r->last.source, r->url);

	dr_buf_init(&b, 0);
	if ((rc = root_pinned(r, &pinned, &pinned_version)))
		goto done;
	rc = -1;
	if (ours && !dr_tuf_store_read(r->state_dir, root_metadata_files[DR_TUF_ROOT], DR_TUF_ROOT_FILE_MAX, &b, why,
				       sizeof why))
		rc = dr_tuf_update_trust_root(&r->u, dr_buf_str(&b), b.len);
	dr_buf_free(&b);
	if ((rc || r->u.trusted[DR_TUF_ROOT].md->version < pinned_version) &&
	    (rc = dr_tuf_update_trust_root(&r->u, dr_buf_str(&pinned), pinned.len))) /* replaces a state root */
		goto done;
	for (role = DR_TUF_TIMESTAMP; ours && role < DR_TUF_ROLES; role++) {
		if (!dr_tuf_store_read(r->state_dir, root_metadata_files[role], DR_TUF_TARGETS_FILE_MAX, &b, why, sizeof why))
			dr_tuf_update_trust(&r->u, (enum dr_tuf_role)role, dr_buf_str(&b), b.len);
		dr_buf_free(&b);
	}
done:
	dr_buf_free(&pinned);
	if (rc > 0)
		return rc;
	return rc ? root_say(ROOT_EXIT_USAGE, r->pinned, r->u.why, NULL) : 0;
}

/* A run that failed after a root rotation still keeps the newest root it verified (TUF 5.3.8): a
 * repository that rotated away from leaked root keys must not be held back by a network that
 * makes every later step fail. Only when the state already belongs to this repository; the
 * target and refresh.json stay as they were. */
static void root_keep_rotation(struct root_run *r)
{
	const struct dr_tuf_file *root = &r->u.trusted[DR_TUF_ROOT];
	char why[DR_TUF_WHY_MAX];

	if (r->u.root_rotations > 0 && root->fetched && !strcmp(r->last.source, r->url) &&
	    dr_tuf_store_write(r->state_dir, root_metadata_files[DR_TUF_ROOT], dr_buf_str(&root->bytes), root->bytes.len,
			       why, sizeof why))
		root_say(ROOT_EXIT_FAILED, "state: the rotated root.json could not be kept", why, NULL);
}

/* Replace the state's files: the metadata, the target (before refresh.json), refresh.json. */
static int root_install(struct root_run *r)
{
	struct dr_sigstore_refresh out = { 0 };
	struct dr_buf text;
	char why[DR_TUF_WHY_MAX] = "";
	int role, rc = 0;

	r->unchanged = r->have_target && r->installed.len == r->u.target.len &&
		       !memcmp(dr_buf_str(&r->installed), dr_buf_str(&r->u.target), r->u.target.len);
	for (role = 0; role < DR_TUF_ROLES && !rc; role++)
		rc = dr_tuf_store_write(r->state_dir, root_metadata_files[role], dr_buf_str(&r->u.trusted[role].bytes),
					r->u.trusted[role].bytes.len, why, sizeof why);
	if (!rc && !r->unchanged)
		rc = dr_tuf_store_write(r->state_dir, ROOT_TARGET, dr_buf_str(&r->u.target), r->u.target.len, why,
					sizeof why);
	if (rc)
		return root_refuse(r, "state", why);
	dr_strlcpy(out.source, r->url, sizeof out.source); /* checked shorter by dr_tuf_url_check */
	dr_time_rfc3339_at(time(NULL), out.refreshed);
	dr_time_rfc3339_at(dr_tuf_update_expires(&r->u), out.expires);
	out.root_version = r->u.trusted[DR_TUF_ROOT].md->version;
	out.timestamp_version = r->u.trusted[DR_TUF_TIMESTAMP].md->version;
	out.snapshot_version = r->u.trusted[DR_TUF_SNAPSHOT].md->version;
	out.targets_version = r->u.trusted[DR_TUF_TARGETS].md->version;
	dr_sha256_hex(dr_buf_str(&r->u.target), r->u.target.len, out.sha256);
	dr_buf_init(&text, DR_SIGSTORE_REFRESH_MAX);
	rc = dr_sigstore_refresh_format(&out, &text) ||
	     dr_tuf_store_write(r->state_dir, DR_SIGSTORE_REFRESH_FILE, dr_buf_str(&text), text.len, why, sizeof why);
	dr_buf_free(&text);
	if (rc)
		return root_refuse(r, "state", why[0] ? why : "refresh.json too long");
	printf(ROOT_NAME ": " ROOT_TARGET " from %s: root v%lld, timestamp v%lld, snapshot v%lld, targets v%lld; expires %s%s\n",
	       r->url, out.root_version, out.timestamp_version, out.snapshot_version, out.targets_version, out.expires,
	       r->unchanged ? " (unchanged)" : "");
	return 0;
}

/* The verified target must be a Sigstore trusted root before it is installed. */
static int root_target_check(struct root_run *r)
{
	struct dr_ss_trusted_root tr;
	char why[DR_TUF_WHY_MAX];
	int rc = dr_ss_trusted_root_parse(dr_buf_str(&r->u.target), r->u.target.len, &tr, why, sizeof why);

	dr_ss_trusted_root_free(&tr);
	return rc ? root_refuse(r, "target " ROOT_TARGET " is not a Sigstore trusted root", why) : 0;
}

static int root_run(struct root_run *r)
{
	struct dr_tuf_http http = { r->url, r->cacert, dr_now_ms() + DR_TUF_RUN_TIMEOUT_MS };
	int rc;

	dr_tuf_update_init(&r->u, time(NULL), ROOT_TARGET, dr_tuf_http_fetch, &http);
	root_state_last(r);
	if ((rc = root_start(r)))
		return rc;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return root_refuse(r, "libcurl", "did not start");
	rc = dr_tuf_update_run(&r->u);
	curl_global_cleanup();
	if (rc)
		rc = root_refuse(r, r->u.step, r->u.why);
	else if (!(rc = root_target_check(r)))
		rc = root_install(r);
	if (rc)
		root_keep_rotation(r);
	return rc;
}

int main(int argc, char **argv)
{
	struct root_run r;
	const char *why = NULL;
	int rc;

	memset(&r, 0, sizeof r);
	dr_buf_init(&r.installed, 0);
	signal(SIGPIPE, SIG_IGN);
	if (dr_syscall_filter_wanted() < 0)
		return root_usage(DR_SYSCALL_FILTER_SETTING " must be on or off");
	if (dr_syscall_filter_apply(DR_SYSCALL_REGISTRY, &why) < 0)
		return root_say(ROOT_EXIT_FAILED, why, strerror(errno), NULL);
	if ((rc = root_args(&r, argc, argv)) || (rc = root_settings(&r)) || (rc = root_sandbox(&r)))
		return rc;
	rc = root_run(&r);
	dr_tuf_update_free(&r.u);
	dr_buf_free(&r.installed);
	return rc;
}
