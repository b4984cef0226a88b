/* dreichorctl: the operator's and the workflow's client of the deploy
 * agent: parse the arguments, open the connection, run the command the
 * table names. The service-token secret is read from
 * CF_ACCESS_CLIENT_SECRET or a file, never from argv.
 * Exit codes (ctl.h): 0 success, 1 refused by the agent (or the deploy
 * failed), 2 usage, 3 transport, 4 deployed but --wait-running found another
 * image or none running, 5 the plan says a deploy would be refused. */

#include "ctl.h"
#include "ctl_cmd.h"

int main(int argc, char **argv)
{
	static struct ctl c;
	int rc = ctl_args_parse(&c.args, argc, argv);

	if (rc != CTL_ARGS_RUN)
		goto done;
	c.http.url = c.args.url;
	c.http.client_id = c.args.client_id;
	c.http.secret = c.args.secret;
	c.http.timeout = c.args.timeout;
	c.http.idempotency_key = c.args.idempotency_key;
	ctl_http_init(&c.http);
	rc = ctl_command_run(&c);
	ctl_http_free(&c.http);
done:
	ctl_args_wipe(&c.args);
	return rc;
}
