/* dreichor-deploys: GET /v1/deploys?limit=N. Read-only: the newest
 * entries of the environment's deploy history (lib/history), newest
 * first. No lock and no Docker call. */

#include "endpoint.h"
#include "history.h"

struct deploys {
	struct dr_endpoint ep;
	long limit;
	json_object *entries;
};

static int deploys_limit(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct deploys *d = ctx;

	(void)mode;
	d->limit = DR_HISTORY_LIMIT_DEFAULT;
	return dr_cgi_query_number(&d->ep.cgi, "limit", 1, DR_HISTORY_LIMIT_MAX, &d->limit, err);
}

static int deploys_read(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct deploys *d = ctx;

	(void)mode;
	return dr_history_read(d->ep.cfg.state_directory, (int)d->limit, &d->entries, err);
}

static const struct dr_step deploys_steps[] = {
	{ DR_PHASE_REQUEST, DR_STEP_CHECK, 0, DR_PHASE_NONE, deploys_limit },
	{ DR_PHASE_HISTORY, DR_STEP_CHECK, 0, DR_PHASE_NONE, deploys_read },
};

static json_object *deploys_answer(struct deploys *d)
{
	json_object *out = json_object_new_object();

	json_object_object_add(out, "environment", json_object_new_string(d->ep.cfg.environment));
	json_object_object_add(out, "deploys", d->entries);
	d->entries = NULL;
	return out;
}

int main(void)
{
	static struct deploys d;
	int rc;

	if (!(rc = dr_endpoint_begin(&d.ep, "deploys")))
		rc = dr_endpoint_steps(&d.ep, deploys_steps, sizeof deploys_steps / sizeof *deploys_steps, &d);
	rc = dr_endpoint_end(&d.ep, rc, 200, rc ? NULL : deploys_answer(&d));
	json_object_put(d.entries);
	return rc;
}
