/* container.c: the runtime container's contract (container.h). */

#include <stdio.h>
#include <string.h>

#include "container.h"
#include "jsonstr.h"
#include "runtime_env.h"

const char *const dr_container_label_names[DR_CONTAINER_LABELS] = {
	"dreichor.environment", "dreichor.image", "dreichor.image-digest", "dreichor.request-id",
};

static const char *const container_dirs[DR_CONTAINER_BINDS] = { DR_CONTAINER_AUDIT_EVENTS_DIR,
								 DR_CONTAINER_SNAPSHOTS_DIR };

int dr_container_bind(const char *host, int which, char *out, size_t cap)
{
	int n;

	if (which < 0 || which >= DR_CONTAINER_BINDS)
		return -1;
	n = snprintf(out, cap, "%s:%s", host, container_dirs[which]);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int dr_container_env_name(const char *name, size_t len)
{
	char copy[64];

	if (len >= sizeof copy)
		return 0;
	memcpy(copy, name, len);
	copy[len] = '\0';
	return !strcmp(copy, "ENVIRONMENT") || dr_runtime_var_index(copy) >= 0;
}

int dr_container_label_index(const char *name)
{
	int i;

	for (i = 0; i < DR_CONTAINER_LABELS; i++)
		if (!strcmp(name, dr_container_label_names[i]))
			return i;
	return -1;
}

/* "name":"value" with a comma before it unless first. */
static int container_member(struct dr_buf *out, int first, const char *name, const char *value)
{
	return (first ? 0 : dr_buf_adds(out, ",")) || dr_json_add_string(out, name) || dr_buf_adds(out, ":") ||
	       dr_json_add_string(out, value);
}

/* A JSON array of n strings. */
static int container_strings(struct dr_buf *out, const char *const *items, int n)
{
	int i, rc = dr_buf_adds(out, "[");

	for (i = 0; i < n && !rc; i++)
		rc = (i ? dr_buf_adds(out, ",") : 0) || dr_json_add_string(out, items[i]);
	return rc || dr_buf_adds(out, "]");
}

static int container_labels(struct dr_buf *out, const char *const labels[DR_CONTAINER_LABELS])
{
	int i, first = 1, rc = dr_buf_adds(out, "{");

	for (i = 0; i < DR_CONTAINER_LABELS && !rc; i++)
		if (labels[i]) {
			rc = container_member(out, first, dr_container_label_names[i], labels[i]);
			first = 0;
		}
	return rc || dr_buf_adds(out, "}");
}

int dr_container_body_write(const struct dr_container_body *b, struct dr_buf *out)
{
	return dr_buf_adds(out, "{") || container_member(out, 1, "Image", b->image) ||
	       dr_buf_adds(out, ",\"Env\":") || container_strings(out, b->env, b->env_count) ||
	       dr_buf_adds(out, ",\"Labels\":") || container_labels(out, b->labels) ||
	       dr_buf_adds(out, ",\"HostConfig\":{\"Binds\":") || container_strings(out, b->binds, DR_CONTAINER_BINDS) ||
	       dr_buf_adds(out, ",\"RestartPolicy\":{") || container_member(out, 1, "Name", b->restart_policy) ||
	       dr_buf_adds(out, "}") || (b->network && container_member(out, 0, "NetworkMode", b->network)) ||
	       dr_buf_adds(out, "}}");
}
