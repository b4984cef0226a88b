/* pipeline.c: the deploy's steps, in order, and what each one does. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "pull_failure.h"
#include "registry_helper.h"
#include "verified.h"
#include "retention.h"
#include "sigstore_refresh.h"
#include "lock.h"
#include "pipeline.h"
#include "registry_auth.h"
#include "reply.h"
#include "signer_json.h"
#include "crypto.h"
#include "state.h"
#include "status.h"

#define PIPELINE_PROGRESS_EVERY_MS 500  /* how often the pull's progress reaches the record */

_Static_assert(DR_RUNTIME_VARS + 1 <= DR_CONTAINER_ENV_MAX, "the runtime env and ENVIRONMENT fit a container spec");

/* The body: strict JSON, only the allowed fields. */
static int step_request(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	int rc;

	(void)mode;
	if ((rc = dr_cgi_body_read(&p->ep.cgi, STDIN_FILENO, &p->body, err)) ||
	    (rc = dr_deploy_request_parse(&p->request, p->body, (size_t)p->ep.cgi.content_length, p->ep.cfg.environment,
					  err)))
		return rc;
	p->ep.audit.image = p->request.image;
	return 0;
}

/* A retried request (same Idempotency-Key, same body) starts nothing: the first one's record answers it. */
static int step_idempotency(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	const char *key = p->ep.cgi.idempotency_key;
	char first[80], first_digest[DR_BODY_DIGEST_LEN + 1];
	struct dr_error gone;

	(void)mode;
	if (!key)
		return DR_FAULT_SKIPPED;
	if (!dr_idempotency_key_valid(key))
		return dr_error_set(err, DR_FAULT_BAD_REQUEST,
				    "Idempotency-Key must be 1 to %d letters, digits, '.', '_', ':' or '-'", DR_IDEMPOTENCY_KEY_MAX);
	dr_sha256_hex(p->body ? p->body : "", (size_t)p->ep.cgi.content_length, p->body_digest);
	if (!dr_idempotency_find(p->ep.cfg.state_directory, key, first, first_digest)) {
		p->key_first = 1;
		return 0;
	}
	if (strcmp(first_digest, p->body_digest))
		return dr_error_set(err, DR_FAULT_KEY_REUSED,
				    "Idempotency-Key %s was used by request %s with another body; a new deploy needs a new key",
				    key, first);
	/* A record pruned since: nothing stands for the first request, so this one goes ahead. */
	if (dr_deploy_record_read(p->ep.cfg.state_directory, first, &p->replay, &gone)) {
		p->key_first = 1;
		return 0;
	}
	dr_deploy_record_settle(&p->replay, p->ep.cfg.state_directory);
	return DR_FAULT_REPLAYED;
}

static int step_image_policy(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	int rc;

	(void)mode;
	if ((rc = dr_image_ref_parse(p->request.image, &p->ref, err)))
		return rc;
	return dr_image_ref_check_policy(&p->ref, p->ep.cfg.image_repository, p->ep.cfg.env == DR_ENV_DEV, err);
}

static int step_runtime_env(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	struct dr_problems problems = { 0 };

	(void)mode;
	if (dr_runtime_env_load(&p->runtime, p->ep.cfg.runtime_env_file, p->ep.cfg.env, p->ep.cfg.allow_execution_plane,
				&problems))
		return dr_error_set(err, DR_FAULT_INTERNAL, "runtime env file invalid: %s", problems.text[0]);
	dr_mask_init_database_url(&p->mask, p->runtime.values[DR_RT_DATABASE_URL]);
	return 0;
}

/* The server file wins: a request may repeat a value but never change it. */
static int step_request_env(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;

	(void)mode;
	return dr_deploy_request_check_env(&p->request, &p->runtime, err);
}

/* Deploy takes the lock for the rest of its run; plan only asks who holds it. */
static int step_lock(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	struct dr_error ignored;
	int rc;

	if (mode == DR_RUN_PLAN)
		return dr_lock_peek(p->ep.cfg.state_directory, err);
	if ((rc = dr_endpoint_lock(&p->ep, "deploy", p->request.image, err)))
		return rc;
	/* From here a retry with the same key finds this deploy, running or ended. */
	if (p->key_first)
		p->key_remembered = !dr_idempotency_remember(p->ep.cfg.state_directory, p->ep.cgi.idempotency_key,
							    p->ep.cgi.request_id, p->body_digest, &ignored);
	dr_deploy_record_sweep(p->ep.cfg.state_directory, p->ep.lock.previous_request_id);
	return 0;
}

static void pipeline_on_pull(void *ctx, const struct dr_pull_progress *progress);

static int step_docker(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	int rc = dr_endpoint_docker(&p->ep, err);

	p->ep.docker.mask = &p->mask;  /* the engine may quote the create body's environment */
	if (!rc && mode == DR_RUN_DEPLOY) {
		p->ep.docker.on_pull = pipeline_on_pull;
		p->ep.docker.on_pull_ctx = p;
	}
	return rc;
}

/* What runs now, for the answer and the history. */
static int step_inspect(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	int rc;

	(void)mode;
	if ((rc = dr_current_read(&p->ep.docker, p->ep.cfg.container_name, &p->now, err)))
		return rc;
	p->ep.audit.previous_digest = dr_current_expectation(&p->now);
	return 0;
}

static int step_expect_current(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;

	(void)mode;
	return dr_current_check_expectation(&p->now, p->request.expect_current_digest, err);
}

/* dreichor-registry's HEAD of the manifest the request names (its "probe"): the answer, or NULL
 * when it gave none. A refusal's Retry-After is kept, so a rate-limited lookup asks once; a 200
 * is not, so a pull limited after it asks again. The caller puts it. */
static json_object *pipeline_probe(struct dr_pipeline *p, int seconds)
{
	const char *reference = p->ref.tag[0] ? p->ref.tag : p->ref.digest;
	const char *args[] = { "dreichor-registry", "probe", p->ref.repository, reference, NULL };
	json_object *answer = NULL, *v;
	struct dr_error ignored;

	if (dr_registry_helper_run(&p->ep.cfg, args, seconds, &answer, &ignored))
		return NULL;
	p->probe_refused = !json_object_object_get_ex(answer, "status", &v) || !json_object_is_type(v, json_type_int) ||
			   json_object_get_int64(v) != DR_STATUS_OK;
	p->probe_retry_after = -1;
	if (json_object_object_get_ex(answer, "retry_after", &v) && json_object_is_type(v, json_type_int))
		p->probe_retry_after = (long)json_object_get_int64(v);
	return answer;
}

/* The registry's own Retry-After: the engine does not pass it on, so ask the registry. -1: none. */
static long pipeline_retry_after(struct dr_pipeline *p)
{
	if (!p->probe_refused) {
		p->probe_retry_after = -1;
		json_object_put(pipeline_probe(p, DR_REGISTRY_HELPER_SECONDS));
	}
	return p->probe_retry_after;
}

/* A failed registry lookup or pull named for what it is (lib/endpoint/pull_failure): a full
 * disk asks the engine for its data root, a rate limit the registry for its retry time. */
static int pipeline_pull_failed(struct dr_pipeline *p, int rc, struct dr_error *err)
{
	struct dr_pull_context c = { .reference = p->request.image, .credentials = p->registry_auth != NULL,
				     .keep_images = p->ep.cfg.keep_images, .retry_after_s = -1 };
	char registry[DR_IMAGE_REPO_MAX + 1], data_root[1024] = "";
	enum dr_pull_failure kind;
	struct dr_error ignored;

	if (rc != DR_FAULT_UPSTREAM || !p->ep.docker.pull_message[0])
		return rc;
	kind = dr_pull_failure_kind(p->ep.docker.pull_message);
	snprintf(registry, sizeof registry, "%.*s", (int)strcspn(p->ref.repository, "/"), p->ref.repository);
	c.registry = registry;
	if (kind == DR_PULL_NO_SPACE && !dr_docker_data_root(&p->ep.docker, data_root, sizeof data_root, &ignored))
		c.data_root = data_root;
	if (kind == DR_PULL_RATE_LIMITED)
		c.retry_after_s = pipeline_retry_after(p);
	return dr_pull_failure_explain(kind, &c, p->ep.docker.pull_message, err);
}

/* A tag's digest from dreichor-registry, when the units run it behind its socket: one HEAD of the
 * manifest, where the engine's lookup pings the registry and fetches the manifest and its config.
 * 0 with target_digest set on a 200 naming a digest; anything else leaves the lookup to the
 * engine, whose failures the deploy explains as before (as does no answer within
 * DR_REGISTRY_LOOKUP_SECONDS). Without the socket, running the helper costs about what the
 * engine's lookup does, so the engine is asked. */
static int pipeline_probe_digest(struct dr_pipeline *p)
{
	json_object *answer, *status, *digest;
	int rc = -1;

	if (!p->ep.cfg.registry_socket || !p->ref.tag[0] || !(answer = pipeline_probe(p, DR_REGISTRY_LOOKUP_SECONDS)))
		return -1;
	if (json_object_object_get_ex(answer, "status", &status) && json_object_is_type(status, json_type_int) &&
	    json_object_get_int64(status) == DR_STATUS_OK && json_object_object_get_ex(answer, "digest", &digest) &&
	    json_object_is_type(digest, json_type_string) && dr_image_digest_valid(json_object_get_string(digest))) {
		dr_strlcpy(p->target_digest, json_object_get_string(digest), sizeof p->target_digest);
		rc = 0;
	}
	json_object_put(answer);
	return rc;
}

/* The digest checks of a tag: the digest given with it, and its pin. */
static int pipeline_check_tag_digest(struct dr_pipeline *p, struct dr_error *err)
{
	int rc;

	if ((rc = dr_image_ref_check_tag_digest(&p->ref, p->target_digest, err)))
		return rc;
	return dr_state_pin_compare(p->ep.cfg.state_directory, p->ref.tag, p->target_digest, err);
}

/* The registry's digest for the reference: from dreichor-registry when its socket is set, else
 * (or when it gave no digest) from the engine. A refusal must not rest on the helper's header
 * alone: a digest the tag's checks would refuse is asked of the engine, which fetches the
 * manifest, and its digest (or its failure) decides, as without the helper. A deploy by digest
 * alone needs no lookup: the pull asks for exactly that digest. */
static int step_resolve(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	struct dr_error ignored;
	int rc;

	if ((rc = dr_registry_auth_for_repository(p->ep.cfg.registry_auth_file, p->ref.repository, &p->registry_auth,
						  err)))
		return rc;
	if (mode == DR_RUN_DEPLOY && !p->ref.tag[0])
		dr_strlcpy(p->target_digest, p->ref.digest, sizeof p->target_digest);
	else if ((pipeline_probe_digest(p) || pipeline_check_tag_digest(p, &ignored)) &&
		 (rc = dr_docker_registry_digest(&p->ep.docker, p->ref.repository,
						    p->ref.tag[0] ? p->ref.tag : p->ref.digest, p->registry_auth,
						    p->target_digest, err)))
		return pipeline_pull_failed(p, rc, err);
	if (!p->ref.tag[0])
		p->ep.audit.image_digest = p->target_digest;
	return 0;
}

/* A tag must resolve to the digest given with it, and to the digest it was first deployed as. */
static int step_digest_pin(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	int rc;

	(void)mode;
	if (!p->ref.tag[0])
		return DR_FAULT_SKIPPED;
	if ((rc = pipeline_check_tag_digest(p, err)))
		return rc;
	p->ep.audit.image_digest = p->target_digest;
	return 0;
}

/* The verifying key (or keyless signer) and format go into the audit entry (and from there the history). */
static int pipeline_signature_found(struct dr_pipeline *p)
{
	p->ep.audit.signature_key = p->keyless ? NULL : p->signature_key;
	p->ep.audit.signature_format = p->signature_format;
	p->ep.audit.signer = p->keyless ? &p->signer : NULL;
	return 0;
}

/* The format of a verify answer into p (a name of at most DR_VERIFIED_FORMAT_MAX - 1 bytes). */
static void pipeline_signature_format(struct dr_pipeline *p, json_object *answer)
{
	json_object *v;

	p->signature_format[0] = '\0';
	if (json_object_object_get_ex(answer, "format", &v) && json_object_is_type(v, json_type_string) &&
	    (!strcmp(json_object_get_string(v), "simple-signing") || !strcmp(json_object_get_string(v), "sigstore-bundle")))
		dr_strlcpy(p->signature_format, json_object_get_string(v), sizeof p->signature_format);
}

/* A refusal from dreichor-registry: outside text (a certificate's names), cleaned before it is a reason.
 * With keyless configured and its trusted root stale (sigstore_root.h), the reason says so first:
 * a root older than the signature it is shown refuses a good image. */
static int pipeline_signature_refused(const struct dr_pipeline *p, json_object *reason, struct dr_error *err)
{
	struct dr_sigstore_root_info root;
	char note[DR_REASON_MAX / 2] = "";
	struct dr_buf b;
	int rc;

	if (p->ep.cfg.image_signature_identity) {
		dr_sigstore_root_describe(p->ep.cfg.sigstore_trusted_root, time(NULL), &root);
		dr_sigstore_root_stale_note(&root, note, sizeof note);
	}
	dr_buf_init(&b, DR_REASON_MAX);
	if (note[0])
		dr_buf_addf(&b, "%s; ", note);
	dr_text_clean(NULL, json_object_get_string(reason), (size_t)json_object_get_string_len(reason),
		      DR_REASON_MAX - 1 - b.len, 0, &b);
	rc = dr_error_set(err, DR_FAULT_UNSIGNED, "%s", b.data ? dr_buf_str(&b) : "the signature was refused");
	dr_buf_free(&b);
	return rc;
}

/* The target digest carries a cosign signature by a key of IMAGE_SIGNATURE_KEYS, or keyless by an
 * identity of IMAGE_SIGNATURE_IDENTITY (CONTRACT 10.1), read from the registry by dreichor-registry
 * (it speaks TLS; the key file is read here first, so that a broken one is the agent's own fault,
 * DR_FAULT_INTERNAL, not the registry's). Nothing is pulled before it passes. Only key-verified
 * images are remembered (verified.h): a keyless one is asked about each time. */
static int step_signature(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	const char *args[] = { "dreichor-registry", "verify", p->ref.repository, p->target_digest, NULL };
	static struct dr_signing_keys keys;
	json_object *answer = NULL, *v;
	struct dr_error ignored;
	int rc;

	if (!p->ep.cfg.image_signatures_required)
		return DR_FAULT_SKIPPED;
	if (p->ep.cfg.image_signature_keys) {
		if ((rc = dr_signing_keys_load(&keys, p->ep.cfg.image_signature_keys, err)))
			return rc;
		/* Verified before, for this repository, by a key still trusted: a signature does not stop being valid. */
		if (!dr_verified_find(p->ep.cfg.state_directory, p->ref.repository, p->target_digest, &keys,
				      p->signature_key, p->signature_format))
			return pipeline_signature_found(p);
	}
	if ((rc = dr_registry_helper_run(&p->ep.cfg, args, DR_REGISTRY_HELPER_SECONDS, &answer, err)))
		return rc;
	pipeline_signature_format(p, answer);
	if (p->signature_format[0] && json_object_object_get_ex(answer, "key", &v) &&
	    json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == DR_KEY_FINGERPRINT_LEN) {
		dr_strlcpy(p->signature_key, json_object_get_string(v), sizeof p->signature_key);
		pipeline_signature_found(p);
		if (mode == DR_RUN_DEPLOY)
			dr_verified_remember(p->ep.cfg.state_directory, p->ref.repository, p->target_digest,
					     p->signature_key, p->signature_format, &ignored);
	} else if (p->signature_format[0] && p->ep.cfg.image_signature_identity &&
		   !dr_signer_from_answer(answer, &p->signer)) {
		p->keyless = 1;
		pipeline_signature_found(p);
	} else if (json_object_object_get_ex(answer, "refused", &v) && json_object_is_type(v, json_type_string)) {
		rc = pipeline_signature_refused(p, v, err);
	} else if (json_object_object_get_ex(answer, "configuration", &v) && json_object_get_boolean(v)) {
		rc = dr_error_set(err, DR_FAULT_INTERNAL, "image signatures cannot be checked: %s",
				  json_object_object_get_ex(answer, "error", &v) ? json_object_get_string(v) : "no answer");
	} else {
		rc = dr_error_set(err, DR_FAULT_UPSTREAM, "image signatures could not be read: %s",
				  json_object_object_get_ex(answer, "error", &v) ? json_object_get_string(v) : "no answer");
	}
	json_object_put(answer);
	return rc;
}

/* Pull exactly the resolved digest, check the engine has it under that digest, pin the tag to it.
 * Content is addressed by its digest: when the engine already holds it, a pull would fetch nothing. */
static int step_pull(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	int rc;

	(void)mode;
	snprintf(p->image_by_digest, sizeof p->image_by_digest, "%s@%s", p->ref.repository, p->target_digest);
	rc = dr_docker_image_digest(&p->ep.docker, p->image_by_digest, p->ref.repository, p->target_digest, p->digest, err);
	if (rc == DR_FAULT_ABSENT || (rc == DR_OK && strcmp(p->digest, p->target_digest))) {
		if ((rc = dr_docker_image_pull(&p->ep.docker, p->ref.repository, p->target_digest, p->registry_auth, err)))
			return pipeline_pull_failed(p, rc, err);
		rc = dr_docker_image_digest(&p->ep.docker, p->image_by_digest, p->ref.repository, p->target_digest,
					    p->digest, err);
	}
	if (rc == DR_FAULT_ABSENT)
		return dr_error_set(err, DR_FAULT_UPSTREAM, "pulled image %s is not present afterwards", p->image_by_digest);
	if (rc)
		return rc;
	if (strcmp(p->digest, p->target_digest))
		return dr_error_set(err, DR_FAULT_UPSTREAM, "pulled image does not carry the requested digest %s",
				    p->target_digest);
	p->ep.audit.image_digest = p->digest;
	if (p->ref.tag[0])
		return dr_state_pin_check(p->ep.cfg.state_directory, p->ref.tag, p->digest, err);
	return 0;
}

static int step_replace(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;

	(void)mode;
	return dr_endpoint_stop_and_remove(&p->ep, p->ep.cfg.container_name, &p->stopped, err);
}

/* The runtime container: the pulled digest, the runtime env, the two binds, the labels (container.h). */
static void pipeline_container_spec(struct dr_pipeline *p, struct dr_container_spec *spec)
{
	int i;

	spec->image = p->image_by_digest;
	for (i = 0; i < DR_RUNTIME_VARS; i++) {
		spec->env_names[i] = dr_runtime_var_names[i];
		spec->env_values[i] = p->runtime.values[i];
	}
	spec->env_names[i] = "ENVIRONMENT";
	spec->env_values[i] = p->ep.cfg.environment;
	spec->env_count = i + 1;
	spec->bind_hosts[0] = p->ep.cfg.audit_events_path;
	spec->bind_hosts[1] = p->ep.cfg.snapshots_path;
	spec->network = p->ep.cfg.container_network;
	spec->labels[DR_CONTAINER_LABEL_ENVIRONMENT] = p->ep.cfg.environment;
	spec->labels[DR_CONTAINER_LABEL_IMAGE] = p->request.image;
	spec->labels[DR_CONTAINER_LABEL_IMAGE_DIGEST] = p->digest;
	spec->labels[DR_CONTAINER_LABEL_REQUEST_ID] = p->ep.cgi.request_id;
}

static int step_create(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	struct dr_container_spec spec = { 0 };
	char id[DR_DOCKER_ID_MAX];
	int rc;

	(void)mode;
	pipeline_container_spec(p, &spec);
	if ((rc = dr_docker_container_create(&p->ep.docker, p->ep.cfg.container_name, &spec, id, err)))
		return rc;
	dr_strlcpy(p->grace.container_id, id, sizeof p->grace.container_id);
	p->grace.container_name = p->ep.cfg.container_name;
	return 0;
}

static int step_start(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	(void)mode;
	return dr_grace_start(&((struct dr_pipeline *)ctx)->grace, err);
}

static int step_grace(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	int rc;

	(void)mode;
	rc = dr_grace_watch(&p->grace, err);
	p->ep.audit.container_logs = dr_buf_str(&p->grace.log_text);
	p->ep.audit.exit_code = p->grace.exit_code;
	return rc;
}

/* The last successful deploy, for operators: STATE_DIRECTORY/last-deploy.json. */
static int step_record(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	json_object *record = json_object_new_object();
	char now[DR_TIME_ISO_MAX];
	const char *text;
	int rc;

	(void)mode;
	dr_time_iso_utc(now);
	json_object_object_add(record, "time", json_object_new_string(now));
	json_object_object_add(record, "image", json_object_new_string(p->request.image));
	json_object_object_add(record, "image_digest", json_object_new_string(p->digest));
	json_object_object_add(record, "request_id", json_object_new_string(p->ep.cgi.request_id));
	json_object_object_add(record, "client_id", json_object_new_string(p->ep.cgi.client_id));
	json_object_object_add(record, "container_id", json_object_new_string(p->grace.container_id));
	text = json_object_to_json_string_ext(record, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = dr_state_write_atomic(p->ep.cfg.state_directory, DR_STATE_RECORD, text, strlen(text), err);
	json_object_put(record);
	return rc;
}

/* Past the record the deploy has succeeded: retention only names what the engine refused. */
static int step_retention(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct dr_pipeline *p = ctx;
	static struct dr_retention r;
	struct dr_error why;

	(void)mode;
	(void)err;
	p->pruned = json_object_new_array();
	p->prune_skipped = json_object_new_array();
	if (dr_retention_load(&r, &p->ep.docker, p->ep.cfg.state_directory, p->ep.cfg.image_repository,
			      p->ep.cfg.keep_images, p->digest, &why))
		dr_retention_skipped(p->prune_skipped, NULL, why.reason);
	else
		dr_retention_apply(&r, &p->ep.docker, p->ep.cfg.image_repository, p->pruned, p->prune_skipped);
	p->ep.audit.pruned = json_object_to_json_string_ext(p->pruned, JSON_C_TO_STRING_PLAIN);
	return 0;
}

void dr_pipeline_add_signature(const struct dr_pipeline *p, json_object *out)
{
	json_object_object_add(out, "image_signatures",
			       json_object_new_string(p->ep.cfg.image_signatures_required ? "required" : "off"));
	if (p->signature_key[0] || p->keyless)
		json_object_object_add(out, "signature", dr_reply_signature(p->keyless ? NULL : p->signature_key,
									    p->signature_format, p->keyless ? &p->signer : NULL));
	dr_reply_add_trusted_root(out, &p->ep.cfg);
}

void dr_pipeline_add_pruned(const struct dr_pipeline *p, json_object *out)
{
	if (p->pruned)
		json_object_object_add(out, "pruned", json_object_get(p->pruned));
	if (p->prune_skipped && json_object_array_length(p->prune_skipped))
		json_object_object_add(out, "prune_skipped", json_object_get(p->prune_skipped));
}

void dr_pipeline_add_images(struct dr_pipeline *p, json_object *out)
{
	static struct dr_retention r;
	struct dr_error ignored;

	if (!p->ep.docker.curl || dr_retention_load(&r, &p->ep.docker, p->ep.cfg.state_directory,
						    p->ep.cfg.image_repository, p->ep.cfg.keep_images,
						    p->target_digest[0] ? p->target_digest : NULL, &ignored))
		return;
	json_object_object_add(out, "images", dr_retention_summary(&r, p->ep.cfg.keep_images));
}

/* The deploy, in order. Checks run in plan too; acts only in deploy. Nothing before the pull
 * changes anything but the lock (and the key index); a failure before the replace leaves the
 * running container. */
static const struct dr_step pipeline_steps[] = {
	{ "request", DR_PHASE_REQUEST, DR_STEP_CHECK, DR_STEP_ESSENTIAL | DR_STEP_UNLISTED, NULL, step_request },
	{ "idempotency-key", DR_PHASE_REQUEST, DR_STEP_CHECK, DR_STEP_DEPLOY_ONLY, NULL, step_idempotency },
	{ "image-policy", DR_PHASE_IMAGE_POLICY, DR_STEP_CHECK, 0, NULL, step_image_policy },
	{ "runtime-env", DR_PHASE_RUNTIME_ENV, DR_STEP_CHECK, 0, NULL, step_runtime_env },
	{ "request-env", DR_PHASE_REQUEST, DR_STEP_CHECK, 0, "runtime-env", step_request_env },
	{ "lock", DR_PHASE_LOCK, DR_STEP_CHECK, 0, NULL, step_lock },
	{ "docker", DR_PHASE_DOCKER, DR_STEP_CHECK, DR_STEP_ESSENTIAL | DR_STEP_UNLISTED, NULL, step_docker },
	{ "inspect", DR_PHASE_INSPECT, DR_STEP_CHECK, DR_STEP_ESSENTIAL | DR_STEP_UNLISTED, NULL, step_inspect },
	{ "expect-current", DR_PHASE_EXPECT_CURRENT, DR_STEP_CHECK, DR_STEP_LOCAL, "inspect", step_expect_current },
	/* The registry's digest for the tag: a failure is the pull's. */
	{ "resolve", DR_PHASE_PULL, DR_STEP_CHECK, 0, "image-policy", step_resolve },
	{ "digest-pin", DR_PHASE_DIGEST_PIN, DR_STEP_CHECK, DR_STEP_LOCAL, "resolve", step_digest_pin },
	{ "signature", DR_PHASE_SIGNATURE, DR_STEP_CHECK, 0, "resolve", step_signature },
	/* An asynchronous deploy is answered 202 here: every check passed, the lock is held. */
	{ "pull", DR_PHASE_PULL, DR_STEP_ACT, DR_STEP_ACCEPTS, NULL, step_pull },
	/* No SIGTERM between the old container's removal and the new one's start. */
	{ "replace", DR_PHASE_REPLACE, DR_STEP_ACT, DR_STEP_HOLDS_SIGTERM, NULL, step_replace },
	{ "create", DR_PHASE_CREATE, DR_STEP_ACT, DR_STEP_HOLDS_SIGTERM, NULL, step_create },
	{ "start", DR_PHASE_START, DR_STEP_ACT, DR_STEP_HOLDS_SIGTERM, NULL, step_start },
	{ "grace", DR_PHASE_GRACE, DR_STEP_ACT, 0, NULL, step_grace },
	{ "record", DR_PHASE_RECORD, DR_STEP_ACT, 0, NULL, step_record },
	{ "retention", DR_PHASE_RETENTION, DR_STEP_ACT, 0, NULL, step_retention },
};
DR_STEPS_FIT(pipeline_steps);

/* Replace the running record; the one a 202 points to is fsynced. A failure only costs the reader. */
static void pipeline_record_running(struct dr_pipeline *p, int durable)
{
	struct dr_deploy_progress progress = {
		.request_id = p->ep.cgi.request_id, .image = p->request.image, .environment = p->ep.cfg.environment,
		.started_at = p->started_at, .step = p->run.step, .phases = dr_pipeline_phases(p),
	};
	struct dr_error ignored;

	if (p->run.phase == DR_PHASE_PULL) {
		progress.current_bytes = p->progress_current;
		progress.total_bytes = p->progress_total;
	}
	dr_deploy_record_running(p->ep.cfg.state_directory, &progress, durable, &ignored);
	json_object_put(progress.phases);
	p->recorded_ms = dr_now_ms();
}

/* Answer 202 and let the connection go; the deploy goes on in this process. */
static void pipeline_accept(struct dr_pipeline *p)
{
	char headers[DR_DEPLOY_ACCEPTED_HEADERS_MAX];
	json_object *body = dr_deploy_record_accepted(p->ep.cgi.request_id, p->request.image, p->ep.cfg.environment,
						      headers);

	dr_endpoint_answer_early(&p->ep, dr_fault_status(DR_ACCEPTED), headers, body);
}

/* As each deploy step begins, once the lock is held: the record, and the 202 where the table says. */
static void pipeline_on_step(const struct dr_run *run, const struct dr_step *step, void *ctx)
{
	struct dr_pipeline *p = ctx;
	int accepting = (step->flags & DR_STEP_ACCEPTS) && p->async && !p->ep.detached;

	if (run->mode != DR_RUN_DEPLOY || p->ep.lock.fd < 0 || ((step->flags & DR_STEP_LOCAL) && !accepting))
		return;
	pipeline_record_running(p, accepting);
	if (accepting)
		pipeline_accept(p);
}

/* The pull's progress stream, into the record at most every PIPELINE_PROGRESS_EVERY_MS. */
static void pipeline_on_pull(void *ctx, const struct dr_pull_progress *progress)
{
	struct dr_pipeline *p = ctx;

	p->progress_current = progress->current_bytes;
	p->progress_total = progress->total_bytes;
	if (dr_now_ms() - p->recorded_ms >= PIPELINE_PROGRESS_EVERY_MS)
		pipeline_record_running(p, 0);
}

/* The final answer becomes the record GET /v1/deploys/<id> and a retried key answer with. */
static void pipeline_keep_answer(struct dr_endpoint *ep, int status, json_object *body, void *ctx)
{
	struct dr_pipeline *p = ctx;
	struct dr_error ignored;

	dr_deploy_record_final(ep->cfg.state_directory, ep->cgi.request_id, status, body, p->run.step, p->request.image,
			       ep->cfg.environment, &ignored);
	if (p->key_first && !p->key_remembered)
		dr_idempotency_remember(ep->cfg.state_directory, ep->cgi.idempotency_key, ep->cgi.request_id,
					p->body_digest, &ignored);
}

int dr_pipeline_run(struct dr_pipeline *p, const char *action, enum dr_run_mode mode)
{
	int rc;

	dr_grace_init(&p->grace, &p->ep.docker, &p->mask, 0, "");
	dr_time_iso_utc(p->started_at);
	if ((rc = dr_endpoint_begin(&p->ep, action)))
		return rc;
	p->grace.grace_seconds = p->ep.cfg.startup_grace_seconds;
	p->run.mode = mode;
	if (mode == DR_RUN_DEPLOY) {
		dr_steps_catch_sigterm();
		p->async = dr_cgi_prefers(&p->ep.cgi, "respond-async");
		p->run.on_step = pipeline_on_step;
		p->ep.keep_answer = pipeline_keep_answer;
		p->ep.keep_answer_ctx = p;
	}
	rc = dr_steps_run(&p->run, pipeline_steps, sizeof pipeline_steps / sizeof *pipeline_steps, p, &p->ep.err);
	if (rc == DR_FAULT_INTERRUPTED)
		dr_error_set(&p->ep.err, rc, "the deploy was interrupted (SIGTERM) in phase %s; check status before deploying again",
			     dr_phase_name(p->ep.err.phase));
	return rc;
}

int dr_pipeline_end_replay(struct dr_pipeline *p)
{
	char headers[DR_DEPLOY_ACCEPTED_HEADERS_MAX];
	json_object *body;
	int status;

	dr_deploy_record_replay(p->replay, &status, &body, headers);
	p->replay = NULL;
	p->ep.audit.reason = "answered by an earlier request with the same Idempotency-Key";
	return dr_endpoint_end_replay(&p->ep, status, headers[0] ? headers : NULL, body);
}

json_object *dr_pipeline_phases(const struct dr_pipeline *p)
{
	json_object *list = json_object_new_array(), *o;
	char at[DR_TIME_ISO_MAX];
	int i;

	for (i = 0; i < p->run.count; i++) {
		const struct dr_step_mark *m = &p->run.marks[i];
		o = json_object_new_object();
		dr_time_iso_at(m->at_ms, at);
		json_object_object_add(o, "phase", json_object_new_string(m->name));
		json_object_object_add(o, "at", json_object_new_string(at));
		json_object_object_add(o, "duration_ms", json_object_new_int64(m->duration_ms));
		json_object_array_add(list, o);
	}
	return list;
}

void dr_pipeline_add_phases(const struct dr_pipeline *p, json_object *out)
{
	json_object_object_add(out, "phases", dr_pipeline_phases(p));
}

void dr_pipeline_add_checks(const struct dr_pipeline *p, json_object *out)
{
	json_object *list = json_object_new_array(), *c;
	int i;

	for (i = 0; i < p->run.count; i++) {
		const struct dr_step_mark *m = &p->run.marks[i];
		if (!m->listed || m->fault == DR_FAULT_SKIPPED)
			continue;
		c = json_object_new_object();
		json_object_object_add(c, "check", json_object_new_string(dr_phase_name(m->phase)));
		json_object_object_add(c, "ok", json_object_new_boolean(m->fault == DR_OK));
		if (m->fault != DR_OK) {
			json_object_object_add(c, "status", json_object_new_int(dr_fault_status(m->fault)));
			json_object_object_add(c, "reason", json_object_new_string(m->reason));
		}
		json_object_array_add(list, c);
	}
	json_object_object_add(out, "checks", list);
}

void dr_pipeline_free(struct dr_pipeline *p)
{
	json_object_put(p->replay);
	json_object_put(p->pruned);
	json_object_put(p->prune_skipped);
	dr_grace_free(&p->grace);
	dr_registry_auth_free(p->registry_auth);
	dr_runtime_env_free(&p->runtime);
	dr_mask_free(&p->mask);
	dr_deploy_request_free(&p->request);
	free(p->body);
}
