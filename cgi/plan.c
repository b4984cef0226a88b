/* dreichor-plan: POST /v1/plan. What a deploy with the same body would
 * do, touching nothing: the checks of the deploy table
 * (lib/endpoint/pipeline.c) in the deploy's order, without its acts: no
 * pull, no lock, no container change. The registry is asked, through the
 * engine, for the target's digest. Each check is listed with ok or the
 * refusal the deploy would give. */

#include "pipeline.h"
#include "reply.h"

static json_object *plan_answer(struct dr_pipeline *pl)
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
	dr_pipeline_add_checks(pl, out);
	dr_pipeline_add_signature(pl, out);
	json_object_object_add(out, "would_deploy", json_object_new_boolean(pl->run.refusals == 0 && pl->target_digest[0]));
	dr_reply_add_string(out, "expect_current_digest", dr_current_expectation(now));
	dr_pipeline_add_images(pl, out);
	dr_pipeline_add_phases(pl, out);
	return out;
}

int main(void)
{
	static struct dr_pipeline pl;
	int rc;

	rc = dr_pipeline_run(&pl, "plan", DR_RUN_PLAN);
	rc = dr_endpoint_end(&pl.ep, rc, rc ? NULL : plan_answer(&pl));
	dr_pipeline_free(&pl);
	return rc;
}
