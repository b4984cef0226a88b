/* dreichor-deploy: POST /v1/deploy. Runs every step of the deploy table
 * (lib/endpoint/pipeline.c): check the request, the image policy and the
 * runtime env; take the lock; compare what runs with
 * expect_current_digest; resolve, pin and pull the image; replace the
 * container and watch it through the grace period; record the deploy.
 * With Prefer: respond-async it answers 202 before the pull and goes on;
 * a retried Idempotency-Key is answered from the first request's record.
 * The answer carries the start logs always, the deploy's facts on
 * success, and the phase timeline. */

#include "pipeline.h"
#include "reply.h"

static json_object *deploy_answer(struct dr_pipeline *dp, int rc)
{
	json_object *out = json_object_new_object();

	json_object_object_add(out, "logs", json_object_get(dp->grace.logs));
	if (json_object_array_length(dp->grace.health_outputs))
		json_object_object_add(out, "health_outputs", json_object_get(dp->grace.health_outputs));
	dr_pipeline_add_phases(dp, out);
	if (rc)
		return out;
	json_object_object_add(out, "status", json_object_new_string("deployed"));
	json_object_object_add(out, "container_name", json_object_new_string(dp->ep.cfg.container_name));
	json_object_object_add(out, "image", json_object_new_string(dp->request.image));
	json_object_object_add(out, "environment", json_object_new_string(dp->ep.cfg.environment));
	json_object_object_add(out, "image_digest", json_object_new_string(dp->digest));
	json_object_object_add(out, "container_id", json_object_new_string(dp->grace.container_id));
	json_object_object_add(out, "previous_digest", json_object_new_string(dp->ep.audit.previous_digest));
	dr_reply_add_stop_report(out, &dp->stopped);
	dr_pipeline_add_signature(dp, out);
	dr_pipeline_add_pruned(dp, out);
	return out;
}

int main(void)
{
	static struct dr_pipeline dp;
	int rc;

	dp.ep.keeps_history = 1;
	rc = dr_pipeline_run(&dp, "deploy", DR_RUN_DEPLOY);
	if (rc == DR_FAULT_REPLAYED)
		rc = dr_pipeline_end_replay(&dp);
	else
		rc = dr_endpoint_end(&dp.ep, rc, deploy_answer(&dp, rc));
	dr_pipeline_free(&dp);
	return rc;
}
