/* audit.c: journald audit entries via sd_journal_sendv. */

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

/* Weak, and loaded on first use: the dispatcher's runs mostly end in an
 * exec without an audit entry, and loading libsystemd costs about 0.9 ms
 * and 1.1 MiB per process (docs/performance.md). */
#pragma weak sd_journal_sendv

typedef int (*audit_sendv_fn)(const struct iovec *iov, int n);

static audit_sendv_fn audit_sendv(void)
{
	static audit_sendv_fn fn;
	void *lib;

	if (fn)
		return fn;
	if (sd_journal_sendv) {
		fn = sd_journal_sendv;
	} else if ((lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL))) {
		*(void **)&fn = dlsym(lib, "sd_journal_sendv");
	}
	return fn;
}

#include "audit.h"
#include "clock.h"
#include "mask.h"
#include "status.h"

/* Every field an entry can carry, in the order it is written; the entry's room is
 * counted from this list, so no field can be left out for want of it. */
enum audit_field {
	AF_MESSAGE, AF_PRIORITY, AF_IDENTIFIER, AF_ENVIRONMENT, AF_ACTION, AF_RESULT, AF_HTTP_STATUS,
	AF_REQUEST_ID, AF_CLIENT_ID, AF_METHOD, AF_PATH, AF_IMAGE, AF_IMAGE_DIGEST, AF_PHASE, AF_REASON,
	AF_DETAIL, AF_CF_RAY, AF_CONTAINER_LOGS, AF_DURATION_MS, AF_PREVIOUS_DIGEST, AF_EXIT_CODE,
	AF_STOP_DURATION_MS, AF_STOP_KILLED, AF_PRUNED, AF_SIGNATURE_KEY, AF_SIGNATURE_FORMAT, AF_SIGNER,
	AF_SIGNER_ISSUER, AF_SOURCE_REPOSITORY, AF_SOURCE_COMMIT, AF_BUILD_RUN, AF_SIGNATURE_PROOF, AF_COUNT
};

static const char *const audit_field_names[] = {
	[AF_MESSAGE] = "MESSAGE", [AF_PRIORITY] = "PRIORITY", [AF_IDENTIFIER] = "SYSLOG_IDENTIFIER",
	[AF_ENVIRONMENT] = "DREICHOR_ENVIRONMENT", [AF_ACTION] = "DREICHOR_ACTION", [AF_RESULT] = "DREICHOR_RESULT",
	[AF_HTTP_STATUS] = "DREICHOR_HTTP_STATUS", [AF_REQUEST_ID] = "DREICHOR_REQUEST_ID",
	[AF_CLIENT_ID] = "DREICHOR_CLIENT_ID", [AF_METHOD] = "DREICHOR_METHOD", [AF_PATH] = "DREICHOR_PATH",
	[AF_IMAGE] = "DREICHOR_IMAGE", [AF_IMAGE_DIGEST] = "DREICHOR_IMAGE_DIGEST", [AF_PHASE] = "DREICHOR_PHASE",
	[AF_REASON] = "DREICHOR_REASON", [AF_DETAIL] = "DREICHOR_DETAIL", [AF_CF_RAY] = "DREICHOR_CF_RAY",
	[AF_CONTAINER_LOGS] = "DREICHOR_CONTAINER_LOGS", [AF_DURATION_MS] = "DREICHOR_DURATION_MS",
	[AF_PREVIOUS_DIGEST] = "DREICHOR_PREVIOUS_DIGEST", [AF_EXIT_CODE] = "DREICHOR_EXIT_CODE",
	[AF_STOP_DURATION_MS] = "DREICHOR_STOP_DURATION_MS", [AF_STOP_KILLED] = "DREICHOR_STOP_KILLED",
	[AF_PRUNED] = "DREICHOR_PRUNED", [AF_SIGNATURE_KEY] = "DREICHOR_SIGNATURE_KEY",
	[AF_SIGNATURE_FORMAT] = "DREICHOR_SIGNATURE_FORMAT", [AF_SIGNER] = "DREICHOR_SIGNER",
	[AF_SIGNER_ISSUER] = "DREICHOR_SIGNER_ISSUER", [AF_SOURCE_REPOSITORY] = "DREICHOR_SOURCE_REPOSITORY",
	[AF_SOURCE_COMMIT] = "DREICHOR_SOURCE_COMMIT", [AF_BUILD_RUN] = "DREICHOR_BUILD_RUN",
	[AF_SIGNATURE_PROOF] = "DREICHOR_SIGNATURE_PROOF",
};
_Static_assert(sizeof audit_field_names / sizeof audit_field_names[0] == AF_COUNT, "a name for every field");

#define AUDIT_FIELD_MAX 16384
#define AUDIT_JOURNAL_SOCKET "/run/systemd/journal/socket"

struct audit_fields {
	struct iovec iov[AF_COUNT];
	struct dr_buf owned[AF_COUNT];
	int count;
};

/* NAME=value, the value made printable (client and container text reach here) and cut. */
static void audit_add(struct audit_fields *f, enum audit_field field, const char *value)
{
	const char *name = audit_field_names[field];
	struct dr_buf *b = &f->owned[f->count];

	if (!value)
		return;
	dr_buf_init(b, strlen(name) + 1 + AUDIT_FIELD_MAX);
	if (dr_buf_adds(b, name) || dr_buf_add(b, "=", 1) ||
	    dr_text_clean(NULL, value, strnlen(value, AUDIT_FIELD_MAX * 4), AUDIT_FIELD_MAX, field == AF_CONTAINER_LOGS,
			  b)) {
		/* Only memory can fail here; say so rather than lose the field unseen. */
		fprintf(stderr, "dreichor-agent: audit field %s could not be built\n", name);
		dr_buf_free(b);
		return;
	}
	f->iov[f->count].iov_base = b->data;
	f->iov[f->count].iov_len = b->len;
	f->count++;
}

void dr_audit_init(struct dr_audit *a)
{
	memset(a, 0, sizeof *a);
	a->exit_code = -1;
	a->stop_ms = -1;
}

int dr_audit_write(const struct dr_audit *a)
{
	struct audit_fields f = { .count = 0 };
	char status[8], duration[24], message[512], priority[2], exit_code[24], stop_ms[24];
	int ok = dr_status_success(a->http_status);
	int rc, i;

	snprintf(status, sizeof status, "%d", a->http_status);
	snprintf(duration, sizeof duration, "%lld", a->started_ms ? dr_now_ms() - a->started_ms : 0);
	snprintf(priority, sizeof priority, "%d", ok ? 6 : 4);
	snprintf(exit_code, sizeof exit_code, "%ld", a->exit_code);
	snprintf(stop_ms, sizeof stop_ms, "%lld", a->stop_ms);
	snprintf(message, sizeof message, "%s %s: %s %s -> %d%s%s%s%s", a->environment ? a->environment : "?",
		 a->action, a->method ? a->method : "-", a->path ? a->path : "-", a->http_status,
		 a->image ? " image=" : "", a->image ? a->image : "", a->reason ? " reason=" : "",
		 a->reason ? a->reason : "");
	audit_add(&f, AF_MESSAGE, message);
	audit_add(&f, AF_PRIORITY, priority);
	audit_add(&f, AF_IDENTIFIER, DR_AUDIT_IDENTIFIER);
	audit_add(&f, AF_ENVIRONMENT, a->environment ? a->environment : "unknown");
	audit_add(&f, AF_ACTION, a->action);
	audit_add(&f, AF_RESULT, ok ? "ok" : "error");
	audit_add(&f, AF_HTTP_STATUS, status);
	audit_add(&f, AF_REQUEST_ID, a->request_id);
	audit_add(&f, AF_CLIENT_ID, a->client_id);
	audit_add(&f, AF_METHOD, a->method);
	audit_add(&f, AF_PATH, a->path);
	audit_add(&f, AF_IMAGE, a->image);
	audit_add(&f, AF_IMAGE_DIGEST, a->image_digest);
	audit_add(&f, AF_PHASE, a->phase);
	audit_add(&f, AF_REASON, a->reason);
	audit_add(&f, AF_DETAIL, a->detail);
	audit_add(&f, AF_CF_RAY, a->cf_ray);
	audit_add(&f, AF_CONTAINER_LOGS, a->container_logs);
	audit_add(&f, AF_DURATION_MS, duration);
	audit_add(&f, AF_PREVIOUS_DIGEST, a->previous_digest);
	audit_add(&f, AF_EXIT_CODE, a->exit_code >= 0 ? exit_code : NULL);
	audit_add(&f, AF_STOP_DURATION_MS, a->stop_ms >= 0 ? stop_ms : NULL);
	audit_add(&f, AF_STOP_KILLED, a->stop_ms >= 0 ? (a->stop_killed ? "true" : "false") : NULL);
	audit_add(&f, AF_PRUNED, a->pruned);
	audit_add(&f, AF_SIGNATURE_KEY, a->signature_key);
	audit_add(&f, AF_SIGNATURE_FORMAT, a->signature_format);
	if (a->signer) {
		audit_add(&f, AF_SIGNER, a->signer->identity);
		audit_add(&f, AF_SIGNER_ISSUER, a->signer->issuer[0] ? a->signer->issuer : NULL);
		audit_add(&f, AF_SOURCE_REPOSITORY, a->signer->source_repository[0] ? a->signer->source_repository : NULL);
		audit_add(&f, AF_SOURCE_COMMIT, a->signer->source_commit[0] ? a->signer->source_commit : NULL);
		audit_add(&f, AF_BUILD_RUN, a->signer->run_url[0] ? a->signer->run_url : NULL);
		audit_add(&f, AF_SIGNATURE_PROOF, a->signer->proof);
	}
	/* libsystemd drops an entry silently when the socket does not exist; look first. */
	if (access(AUDIT_JOURNAL_SOCKET, F_OK))
		rc = -errno;
	else
		rc = audit_sendv() ? audit_sendv()(f.iov, f.count) : -ENOSYS;
	/* Never lost silently: stderr reaches the journal (the unit's stream) under systemd. */
	if (rc < 0) {
		fprintf(stderr, "dreichor-agent: journald refused the audit entry (%s); its fields:", strerror(-rc));
		for (i = 0; i < f.count; i++)
			fprintf(stderr, " %.*s", (int)f.iov[i].iov_len, (const char *)f.iov[i].iov_base);
		fputc('\n', stderr);
	}
	for (i = 0; i < f.count; i++)
		dr_buf_free(&f.owned[i]);
	return rc;
}
