/* ctl_follow.c: polling a running deploy until it ended. */

#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_follow.h"
#include "ctl_render.h"
#include "status.h"

#define CTL_POLL_MS 1000  /* between two looks at a running deploy */

int ctl_follow(struct ctl_http *h, int json, const char *id, json_object **record)
{
	struct ctl_progress progress = CTL_PROGRESS_INIT;
	/* With --json the progress goes to stderr, so that stdout stays the one JSON answer. */
	FILE *out = json ? stderr : stdout;
	const char *status;
	char path[96];
	int rc;

	snprintf(path, sizeof path, "/v1/deploys/%s", id);
	for (;;) {
		if ((rc = ctl_http_request_again(h, "GET", path, NULL)))
			return rc;
		json_object_put(*record);
		*record = json_tokener_parse(dr_buf_str(&h->body));
		if (h->status != DR_STATUS_OK || !*record) {
			fprintf(stderr, "dreichorctl: following deploy %s: HTTP %ld: %s\n", id, h->status, dr_buf_str(&h->body));
			return CTL_EXIT_TRANSPORT;
		}
		ctl_render_progress(&progress, out, *record);
		status = ctl_json_str(*record, "status");
		if (!status || strcmp(status, "running"))
			return 0;
		usleep(CTL_POLL_MS * 1000);
	}
}
