/* pipeline.h: the deploy as a table of steps, shared by POST /v1/deploy
 * and POST /v1/plan. The table (pipeline.c) is the one list of what a
 * deploy checks and does, in order; deploy runs all of it, plan the checks
 * (lib/core/steps), so a plan reports what a deploy would refuse, in the
 * same order. The struct owns everything it holds: dr_pipeline_free. */
#ifndef DR_PIPELINE_H
#define DR_PIPELINE_H

#include <json-c/json.h>

#include "current.h"
#include "deploy_record.h"
#include "deploy_request.h"
#include "endpoint.h"
#include "grace.h"
#include "image_ref.h"
#include "mask.h"
#include "runtime_env.h"
#include "signing_keys.h"
#include "steps.h"
#include "verified.h"

struct dr_pipeline {
	struct dr_endpoint ep;      /* request, configuration, audit, error, lock, Docker client */
	struct dr_run run;          /* the runner's marks: which step, since when */
	char *body;
	struct dr_deploy_request request;
	struct dr_image_ref ref;
	struct dr_runtime_env runtime;
	struct dr_mask mask;        /* the runtime's secrets, masked in container output */
	struct dr_current now;      /* what ran before */
	char *registry_auth;        /* X-Registry-Auth for the repository, or NULL */
	char target_digest[DR_DOCKER_DIGEST_MAX];  /* the registry's digest for the reference */
	int probe_refused;          /* dreichor-registry's last HEAD of the reference was not a 200 */
	long probe_retry_after;     /* that HEAD's Retry-After in seconds, -1: none */
	char digest[DR_DOCKER_DIGEST_MAX];         /* the pulled image's, equal to the target */
	char image_by_digest[DR_IMAGE_REF_MAX + DR_DOCKER_DIGEST_MAX];  /* repository@sha256:..., what runs */
	struct dr_stop_report stopped;
	struct dr_grace grace;      /* the new container's first seconds */
	int async;                  /* Prefer: respond-async: 202 once the checks passed */
	char body_digest[DR_BODY_DIGEST_LEN + 1]; /* of the body, when an Idempotency-Key came with it */
	int key_first;              /* no earlier request used its Idempotency-Key */
	int key_remembered;         /* the key names this request */
	json_object *replay;        /* the earlier request's record that answers this one */
	long long progress_current; /* the pull's bytes so far, and in all */
	long long progress_total;
	long long recorded_ms;      /* when the running record was last written */
	json_object *pruned;        /* retention: [{"image_digest","bytes"}] the engine deleted */
	json_object *prune_skipped; /* retention: [{"image_digest","reason"}] it refused */
	char signature_key[DR_KEY_FINGERPRINT_LEN + 1]; /* the key that verified the target's signature */
	char signature_format[DR_VERIFIED_FORMAT_MAX];  /* simple-signing or sigstore-bundle */
	int keyless;                /* 1: signer, not a key, verified the target's signature */
	struct dr_signer signer;    /* keyless: who signed, what proved the time */
	char started_at[32];
};

/* Begin the endpoint as action and run the table in mode. 0, or the fault with ep.err set
 * (its phase the failing step's). A plan's refusals are in run.marks, not in the result. */
int dr_pipeline_run(struct dr_pipeline *p, const char *action, enum dr_run_mode mode);

/* A deploy answered by an earlier request's record (DR_FAULT_REPLAYED from dr_pipeline_run):
 * end with that answer. Returns the exit code. */
int dr_pipeline_end_replay(struct dr_pipeline *p);

/* Add "phases": [{"phase","at","duration_ms"}] from the runner's marks to out. */
void dr_pipeline_add_phases(const struct dr_pipeline *p, json_object *out);

/* The timeline so far: each step that ran, once, by its name, with its start and duration (the
 * caller puts the array). */
json_object *dr_pipeline_phases(const struct dr_pipeline *p);

/* Add "checks": [{"check","ok","status","reason"}]: plan's listed checks, in table order. */
void dr_pipeline_add_checks(const struct dr_pipeline *p, json_object *out);

/* Add "images": what the engine holds of this environment's images and what a deploy of the
 * target would remove (lib/endpoint/retention); nothing when the engine cannot be asked. */
void dr_pipeline_add_images(struct dr_pipeline *p, json_object *out);

/* Add "image_signatures" ("required" or "off") and, once one verified, "signature": {"key", "format"}
 * or, keyless, {"format", "identity", "issuer", "source_repository", "source_commit", "run_url",
 * "log_index", "time_source", "verified_at"}. */
void dr_pipeline_add_signature(const struct dr_pipeline *p, json_object *out);

/* Add "pruned" and, when the engine refused any, "prune_skipped": what retention did. */
void dr_pipeline_add_pruned(const struct dr_pipeline *p, json_object *out);

/* Free what p owns except ep (dr_endpoint_end frees that). */
void dr_pipeline_free(struct dr_pipeline *p);

#endif
