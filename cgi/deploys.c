/* dreichor-deploys: GET /v1/deploys?limit=N. Read-only: the newest
 * entries of the environment's deploy history (lib/history), newest
 * first. No lock and no Docker call. */

#include "endpoint.h"
#include "history.h"

/* limit from the query, then the entries. */
static int deploys_run(struct dr_endpoint *ep, json_object **out)
{
	json_object *entries = NULL;
	long limit = DR_HISTORY_LIMIT_DEFAULT;
	int rc;

	if ((rc = dr_cgi_query_number(&ep->cgi, "limit", 1, DR_HISTORY_LIMIT_MAX, &limit, &ep->err)))
		return dr_endpoint_phase(ep, DR_PHASE_REQUEST, rc);
	if ((rc = dr_history_read(ep->cfg.state_directory, (int)limit, &entries, &ep->err))) {
		json_object_put(entries);
		return dr_endpoint_phase(ep, DR_PHASE_HISTORY, rc);
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "environment", json_object_new_string(ep->cfg.environment));
	json_object_object_add(*out, "deploys", entries);
	return 0;
}

int main(void)
{
	static struct dr_endpoint ep;
	json_object *out = NULL;
	int rc;

	if (!(rc = dr_endpoint_begin(&ep, "deploys")))
		rc = deploys_run(&ep, &out);
	return dr_endpoint_end(&ep, rc, 200, out);
}
