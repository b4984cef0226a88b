/* audit.c: journald audit entries via sd_journal_sendv. */

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

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

/* dr_audit_write adds 23 fields at most; the spare ones make a new field a compile-time
 * edit away from being dropped, and audit_add says so on stderr rather than drop it. */
#define AUDIT_FIELDS_MAX 28
#define AUDIT_FIELD_MAX 16384

struct audit_fields {
	struct iovec iov[AUDIT_FIELDS_MAX];
	char *owned[AUDIT_FIELDS_MAX];
	int count;
};

static void audit_add(struct audit_fields *f, const char *name, const char *value)
{
	size_t nlen, vlen, len;
	char *field;

	if (!value)
		return;
	if (f->count >= AUDIT_FIELDS_MAX) {
		fprintf(stderr, "dreichor-agent: audit entry full, field %s=%.*s\n", name, AUDIT_FIELD_MAX, value);
		return;
	}
	nlen = strlen(name);
	vlen = strnlen(value, AUDIT_FIELD_MAX);
	len = nlen + 1 + vlen;
	field = malloc(len + 1);
	if (!field)
		return;
	memcpy(field, name, nlen);
	field[nlen] = '=';
	memcpy(field + nlen + 1, value, vlen);
	field[len] = '\0';
	f->owned[f->count] = field;
	f->iov[f->count].iov_base = field;
	f->iov[f->count].iov_len = len;
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
	int ok = a->http_status >= 200 && a->http_status < 300;
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
	audit_add(&f, "MESSAGE", message);
	audit_add(&f, "PRIORITY", priority);
	audit_add(&f, "SYSLOG_IDENTIFIER", DR_AUDIT_IDENTIFIER);
	audit_add(&f, "DREICHOR_ENVIRONMENT", a->environment ? a->environment : "unknown");
	audit_add(&f, "DREICHOR_ACTION", a->action);
	audit_add(&f, "DREICHOR_RESULT", ok ? "ok" : "error");
	audit_add(&f, "DREICHOR_HTTP_STATUS", status);
	audit_add(&f, "DREICHOR_REQUEST_ID", a->request_id);
	audit_add(&f, "DREICHOR_CLIENT_ID", a->client_id);
	audit_add(&f, "DREICHOR_METHOD", a->method);
	audit_add(&f, "DREICHOR_PATH", a->path);
	audit_add(&f, "DREICHOR_IMAGE", a->image);
	audit_add(&f, "DREICHOR_IMAGE_DIGEST", a->image_digest);
	audit_add(&f, "DREICHOR_PHASE", a->phase);
	audit_add(&f, "DREICHOR_REASON", a->reason);
	audit_add(&f, "DREICHOR_DETAIL", a->detail);
	audit_add(&f, "DREICHOR_CF_RAY", a->cf_ray);
	audit_add(&f, "DREICHOR_CONTAINER_LOGS", a->container_logs);
	audit_add(&f, "DREICHOR_DURATION_MS", duration);
	audit_add(&f, "DREICHOR_PREVIOUS_DIGEST", a->previous_digest);
	audit_add(&f, "DREICHOR_EXIT_CODE", a->exit_code >= 0 ? exit_code : NULL);
	audit_add(&f, "DREICHOR_STOP_DURATION_MS", a->stop_ms >= 0 ? stop_ms : NULL);
	audit_add(&f, "DREICHOR_STOP_KILLED", a->stop_ms >= 0 ? (a->stop_killed ? "true" : "false") : NULL);
	rc = audit_sendv() ? audit_sendv()(f.iov, f.count) : -ENOSYS;
	/* Never lost silently: stderr reaches the journal (the unit's stream) under systemd. */
	if (rc < 0) {
		fprintf(stderr, "dreichor-agent: journald refused the audit entry (%s); its fields:", strerror(-rc));
		for (i = 0; i < f.count; i++)
			fprintf(stderr, " %.*s", (int)f.iov[i].iov_len, (const char *)f.iov[i].iov_base);
		fputc('\n', stderr);
	}
	for (i = 0; i < f.count; i++)
		free(f.owned[i]);
	return rc;
}
