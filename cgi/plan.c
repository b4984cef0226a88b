/* dreichor-plan: POST /v1/plan. What a deploy with the same body would
 * do, touching nothing: no pull, no lock, no container change. It reads
 * what runs now, asks the registry (through the engine) for the target's
 * digest, and runs every check a deploy runs, listing each with ok or the
 * refusal the deploy would give. */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "current.h"
#include "deploy_request.h"
#include "endpoint.h"
#include "image_ref.h"
#include "lock.h"
#include "registry_auth.h"
#include "reply.h"
#include "runtime_env.h"
#include "state.h"

struct plan {
	struct dr_endpoint ep;
	char *body;
	struct dr_deploy_request request;
	struct dr_image_ref ref;
	struct dr_runtime_env runtime;
	struct dr_current now;
	char target_digest[DR_DOCKER_DIGEST_MAX];
	json_object *checks;       /* [{"check","ok","status","reason"}] */
	int refusals;
};

/* List one check under its phase name: ok when rc is 0, else the status and reason a deploy would answer. */
static int plan_note(struct plan *pl, enum dr_phase phase, int rc, const struct dr_error *why)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "check", json_object_new_string(dr_phase_name(phase)));
	json_object_object_add(c, "ok", json_object_new_boolean(!rc));
	if (rc) {
		json_object_object_add(c, "status", json_object_new_int(rc));
		json_object_object_add(c, "reason", json_object_new_string(why->reason));
		pl->refusals++;
	}
	json_object_array_add(pl->checks, c);
	return rc;
}

/* The body must parse for there to be a plan at all: a malformed one is the deploy's 400. */
static int plan_read_request(struct plan *pl)
{
	int rc;

	if ((rc = dr_cgi_body_read(&pl->ep.cgi, STDIN_FILENO, &pl->body, &pl->ep.err)) ||
	    (rc = dr_deploy_request_parse(&pl->request, pl->body, (size_t)pl->ep.cgi.content_length,
					  pl->ep.cfg.environment, &pl->ep.err)))
		return dr_endpoint_phase(&pl->ep, DR_PHASE_REQUEST, rc);
	pl->ep.audit.image = pl->request.image;
	if ((rc = dr_endpoint_docker(&pl->ep)))
		return rc;
	if ((rc = dr_current_read(&pl->ep.docker, pl->ep.cfg.container_name, &pl->now, &pl->ep.err)))
		return dr_endpoint_phase(&pl->ep, DR_PHASE_INSPECT, rc);
	return 0;
}

/* The checks a deploy runs before it touches anything, in its order; each one that cannot
 * run because an earlier one refused is left out. */
static void plan_checks(struct plan *pl)
{
	const struct dr_config *cfg = &pl->ep.cfg;
	struct dr_problems problems = { 0 };
	struct dr_error e = { 0 };
	char *auth = NULL;
	int rc, policy, env_loaded;

	env_loaded = !dr_runtime_env_load(&pl->runtime, cfg->runtime_env_file, cfg->env, cfg->allow_execution_plane, &problems);
	plan_note(pl, DR_PHASE_REQUEST, env_loaded ? dr_deploy_request_check_env(&pl->request, &pl->runtime, &e) : 0, &e);
	rc = dr_image_ref_parse(pl->request.image, &pl->ref, &e);
	policy = plan_note(pl, DR_PHASE_IMAGE_POLICY,
			   rc ? rc : dr_image_ref_check_policy(&pl->ref, cfg->image_repository, cfg->env == DR_ENV_DEV, &e), &e);
	if (!env_loaded)
		dr_error_set(&e, 500, "runtime env file invalid: %s", problems.text[0]);
	plan_note(pl, DR_PHASE_RUNTIME_ENV, env_loaded ? 0 : 500, &e);
	plan_note(pl, DR_PHASE_LOCK, dr_lock_peek(cfg->state_directory, &e), &e);
	plan_note(pl, DR_PHASE_EXPECT_CURRENT, dr_current_check_expectation(&pl->now, pl->request.expect_current_digest, &e), &e);
	if (policy)
		return;
	rc = dr_registry_auth_for_repository(cfg->registry_auth_file, pl->ref.repository, &auth, &e);
	/* By tag when there is one: a tag with a digest must resolve to that digest. */
	if (!rc)
		rc = dr_docker_registry_digest(&pl->ep.docker, pl->ref.repository, pl->ref.tag[0] ? pl->ref.tag : pl->ref.digest,
					       auth, pl->target_digest, &e);
	dr_registry_auth_free(auth);
	if (plan_note(pl, DR_PHASE_PULL, rc, &e))
		return;
	/* A tag must name that digest in the registry, and match its pin. */
	rc = dr_image_ref_check_tag_digest(&pl->ref, pl->target_digest, &e);
	if (!rc)
		pl->ep.audit.image_digest = pl->target_digest;
	if (pl->ref.tag[0])
		plan_note(pl, DR_PHASE_DIGEST_PIN,
			  rc ? rc : dr_state_pin_compare(cfg->state_directory, pl->ref.tag, pl->target_digest, &e), &e);
}

static json_object *plan_answer(struct plan *pl)
{
	json_object *out = json_object_new_object(), *current = json_object_new_object();
	json_object *target = json_object_new_object();
	const struct dr_current *now = &pl->now;

	json_object_object_add(current, "present", json_object_new_boolean(now->present));
	json_object_object_add(current, "running", json_object_new_boolean(now->present && now->state.running));
	dr_reply_add_string(current, "state", now->present ? now->state.status : "absent");
	dr_reply_add_string(current, "image", now->image);
	dr_reply_add_string(current, "image_digest", now->digest);
	if (now->present && now->state.running)
		dr_reply_add_string(current, "since", now->state.started_at);
	dr_reply_add_string(target, "image", pl->request.image);
	dr_reply_add_string(target, "image_digest", pl->target_digest);
	json_object_object_add(out, "status", json_object_new_string("planned"));
	json_object_object_add(out, "environment", json_object_new_string(pl->ep.cfg.environment));
	json_object_object_add(out, "current", current);
	json_object_object_add(out, "target", target);
	json_object_object_add(out, "checks", json_object_get(pl->checks));
	json_object_object_add(out, "would_deploy", json_object_new_boolean(pl->refusals == 0 && pl->target_digest[0]));
	dr_reply_add_string(out, "expect_current_digest", dr_current_expectation(now));
	return out;
}

int main(void)
{
	static struct plan pl;
	int rc;

	pl.checks = json_object_new_array();
	if (!(rc = dr_endpoint_begin(&pl.ep, "plan")) && !(rc = plan_read_request(&pl)))
		plan_checks(&pl);
	rc = dr_endpoint_end(&pl.ep, rc, 200, rc ? NULL : plan_answer(&pl));
	dr_runtime_env_free(&pl.runtime);
	dr_deploy_request_free(&pl.request);
	json_object_put(pl.checks);
	free(pl.body);
	return rc;
}
