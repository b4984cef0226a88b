/* reply.h: how an endpoint ends: one HTTP response on stdout and the
 * matching audit entry. Used by the endpoint programs (json-c), not by the
 * dispatcher. */
#ifndef DR_REPLY_H
#define DR_REPLY_H

#include <json-c/json.h>

#include "audit.h"
#include "cgi.h"
#include "config.h"
#include "docker.h"
#include "error.h"

/* An endpoint that could not write its answer exits with this; one that did exits 0. */
#define DR_EXIT_NOT_ANSWERED 111

/* The error answer: {"status":"error","reason","request_id","phase"} and extra's members
 * (extra consumed, may be NULL); notes the reason and phase in the audit fields. */
json_object *dr_reply_error_body(struct dr_audit *a, const struct dr_error *err, json_object *extra);

/* Send body (consumed) as it is, with more header lines (may be NULL; each "Name: value\r\n");
 * X-Request-Id is the body's request_id. Audit it with status; returns the exit code: 0 once
 * written, whatever the status. */
int dr_reply_send(struct dr_audit *a, int status, const char *headers, json_object *body);

/* Add name: value to o when value is neither NULL nor empty. */
void dr_reply_add_string(json_object *o, const char *name, const char *value);

/* A new {"key", "format"}: the key that verified an image's signature and the signature's format;
 * keyless (signer not NULL), {"format"} and the signer's fields (signer_json.h). */
json_object *dr_reply_signature(const char *key, const char *format, const struct dr_signer *signer);

/* Add "trusted_root" to an answer when keyless signatures are configured: the Sigstore trusted root's
 * path and source ("package", "tuf" or "file"), and for one the TUF client keeps current, its
 * repository, last refresh, the earliest expiry of its metadata and whether that has passed. */
void dr_reply_add_trusted_root(json_object *out, const struct dr_config *cfg);

/* Add stop_duration_ms and stop_killed to an answer when a container was running. */
void dr_reply_add_stop_report(json_object *out, const struct dr_stop_report *r);

#endif
