/* audit.h: the one structured journald entry written per request
 * (docs/operations.md, the audit trail). All fields are borrowed; NULL fields are left out.
 * dr_audit_init gives the numbers their "none" values. */
#ifndef DR_AUDIT_H
#define DR_AUDIT_H

#include "signer.h"

#define DR_AUDIT_IDENTIFIER "dreichor-agent"

struct dr_audit {
	const char *environment;  /* "dev", "prod", or the raw invalid value */
	const char *action;       /* deploy, plan, status, deploys, stop, refused, or docker-gate (a gate's refusal) */
	int http_status;
	const char *request_id;
	const char *client_id;    /* the presented id, never the secret */
	const char *method;
	const char *path;
	const char *image;
	const char *image_digest;
	const char *phase;        /* where a deploy failed */
	const char *reason;       /* the error reason given to the client */
	const char *cf_ray;       /* the request's Cf-Ray, to match Cloudflare's logs */
	const char *detail;       /* more than the client is told (why a token was refused) */
	const char *container_logs; /* last container log lines, newline-separated */
	const char *previous_digest; /* what ran before a deploy, "none" when nothing did */
	const char *pruned;       /* JSON array of the images retention removed: [{"image_digest","bytes"}] */
	const char *signature_key;    /* the key that verified the image's signature: "sha256:" of its SPKI */
	const char *signature_format; /* simple-signing or sigstore-bundle */
	const struct dr_signer *signer; /* keyless: who signed, what proved the time; NULL: none */
	long exit_code;           /* a failed container's exit code; -1: none */
	long long stop_ms;        /* how long the old container took to stop; -1: none was running */
	int stop_killed;          /* it was killed after STOP_TIMEOUT_SECONDS */
	long long started_ms;     /* monotonic start, for DREICHOR_DURATION_MS */
};

/* Clear a and mark the optional numbers absent. */
void dr_audit_init(struct dr_audit *a);

/* Send the entry to the journal with sd_journal_sendv (linked, or loaded on first use);
 * returns 0 or a negative errno (the request is answered regardless). */
int dr_audit_write(const struct dr_audit *a);

#endif
