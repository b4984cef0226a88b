/* dreichor-deploys: GET /v1/deploys?limit=N, the newest entries of the
 * environment's deploy history (lib/endpoint/history), newest first; and
 * GET /v1/deploys/<request_id>, one deploy's record
 * (lib/endpoint/deploy_record), running or ended. Read-only: no lock and
 * no Docker call. */

#include <string.h>

#include "deploy_record.h"
#include "endpoint.h"
#include "history.h"

#define DEPLOYS_PREFIX "/v1/deploys/"

struct deploys {
	struct dr_endpoint ep;
	long limit;
	const char *request_id;    /* the one deploy asked for, or NULL for the list */
	json_object *entries;      /* the list */
	json_object *record;       /* or the one deploy */
};

/* Which form: the list with ?limit=N, or /v1/deploys/<32 lowercase hex digits>. */
static int deploys_request(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct deploys *d = ctx;

	(void)mode;
	d->limit = DR_HISTORY_LIMIT_DEFAULT;
	if (strncmp(d->ep.cgi.path, DEPLOYS_PREFIX, strlen(DEPLOYS_PREFIX)))
		return dr_cgi_query_number(&d->ep.cgi, "limit", 1, DR_HISTORY_LIMIT_MAX, &d->limit, err);
	d->request_id = d->ep.cgi.path + strlen(DEPLOYS_PREFIX);
	if (!dr_request_id_valid(d->request_id))
		return dr_error_set(err, DR_FAULT_BAD_REQUEST, "a deploy's id is %d lowercase hex digits (its request_id)",
				    DR_REQUEST_ID_LEN);
	if (d->ep.cgi.query[0])
		return dr_error_set(err, DR_FAULT_BAD_REQUEST, "GET /v1/deploys/<request_id> takes no query");
	return 0;
}

static int deploys_read(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct deploys *d = ctx;
	int rc;

	(void)mode;
	if (!d->request_id)
		return dr_history_read(d->ep.cfg.state_directory, (int)d->limit, &d->entries, err);
	if ((rc = dr_deploy_record_read(d->ep.cfg.state_directory, d->request_id, &d->record, err)))
		return rc;
	/* A record left "running" by a process that is gone reads as interrupted. */
	dr_deploy_record_settle(&d->record, d->ep.cfg.state_directory);
	return 0;
}

static const struct dr_step deploys_steps[] = {
	{ "request", DR_PHASE_REQUEST, DR_STEP_CHECK, 0, NULL, deploys_request },
	{ "history", DR_PHASE_HISTORY, DR_STEP_CHECK, 0, NULL, deploys_read },
};
DR_STEPS_FIT(deploys_steps);

static json_object *deploys_answer(struct deploys *d)
{
	json_object *out;

	if (d->record) {
		out = d->record;
		d->record = NULL;
		return out;
	}
	out = json_object_new_object();
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
	rc = dr_endpoint_end(&d.ep, rc, rc ? NULL : deploys_answer(&d));
	json_object_put(d.entries);
	json_object_put(d.record);
	return rc;
}
