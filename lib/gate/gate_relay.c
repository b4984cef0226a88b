/* gate_relay.c: response framing and cut-down answers for the Docker gate. */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "gate_relay.h"
#include "status.h"

/* The value of header name in one "Name: value\r\n" line, or NULL. */
static const char *relay_header(const char *line, size_t len, const char *name, size_t *vlen)
{
	size_t n = strlen(name), i;

	if (len <= n || strncasecmp(line, name, n) || line[n] != ':')
		return NULL;
	for (i = n + 1; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	*vlen = len - i;
	while (*vlen && (line[i + *vlen - 1] == ' ' || line[i + *vlen - 1] == '\t'))
		(*vlen)--;
	return line + i;
}

static int relay_token_in(const char *v, size_t len, const char *token)
{
	size_t n = strlen(token), i;

	for (i = 0; i + n <= len; i++)
		if (!strncasecmp(v + i, token, n) && (i == 0 || v[i - 1] == ',' || v[i - 1] == ' ') &&
		    (i + n == len || v[i + n] == ',' || v[i + n] == ' '))
			return 1;
	return 0;
}

int dr_gate_response_parse(const char *head, size_t len, struct dr_gate_response *r)
{
	const char *line = head, *end = head + len, *eol, *v;
	size_t vlen, i;

	memset(r, 0, sizeof *r);
	r->content_length = -1;
	if (len < 16 || (strncmp(head, "HTTP/1.1 ", 9) && strncmp(head, "HTTP/1.0 ", 9)))
		return -1;
	r->close = head[7] == '0';
	for (i = 9; i < 12; i++) {
		if (head[i] < '0' || head[i] > '9')
			return -1;
		r->status = r->status * 10 + (head[i] - '0');
	}
	while (line < end && (eol = memchr(line, '\n', (size_t)(end - line)))) {
		size_t l = (size_t)(eol - line);
		if (l && line[l - 1] == '\r')
			l--;
		if ((v = relay_header(line, l, "Content-Length", &vlen))) {
			long long n = 0;
			if (!vlen || r->content_length >= 0)
				return -1;
			for (i = 0; i < vlen; i++) {
				if (v[i] < '0' || v[i] > '9' || n > (1LL << 50))
					return -1;
				n = n * 10 + (v[i] - '0');
			}
			r->content_length = n;
		} else if ((v = relay_header(line, l, "Transfer-Encoding", &vlen))) {
			if (!relay_token_in(v, vlen, "chunked"))
				return -1;
			r->chunked = 1;
		} else if ((v = relay_header(line, l, "Connection", &vlen))) {
			r->close |= relay_token_in(v, vlen, "close");
		}
		line = eol + 1;
	}
	if (r->chunked)
		r->content_length = -1;
	return 0;
}

int dr_gate_response_has_body(const char *method, int status)
{
	return strcmp(method, "HEAD") && status >= DR_STATUS_OK && status != DR_STATUS_NO_CONTENT && status != DR_STATUS_NOT_MODIFIED;
}

/* [{"ImageID": ...}] of a container list: which images are in use, nothing about the containers. */
static json_object *relay_image_ids(json_object *list)
{
	json_object *out = json_object_new_array(), *id;
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		json_object *c = json_object_array_get_idx(list, i), *item;
		if (!json_object_object_get_ex(c, "ImageID", &id) || !json_object_is_type(id, json_type_string))
			continue;
		item = json_object_new_object();
		json_object_object_add(item, "ImageID", json_object_get(id));
		json_object_array_add(out, item);
	}
	return out;
}

static json_object *relay_data_root(json_object *info)
{
	json_object *out = json_object_new_object(), *root;

	if (json_object_object_get_ex(info, "DockerRootDir", &root) && json_object_is_type(root, json_type_string))
		json_object_object_add(out, "DockerRootDir", json_object_get(root));
	return out;
}

/* Whether an image's RepoTags or RepoDigests name the repository. */
static int relay_of_repository(json_object *image, const char *repository)
{
	const char *lists[] = { "RepoTags", "RepoDigests" };
	size_t n = strlen(repository), i, j;
	json_object *list;

	for (i = 0; i < 2; i++) {
		if (!json_object_object_get_ex(image, lists[i], &list) || !json_object_is_type(list, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(list); j++) {
			const char *s = json_object_get_string(json_object_array_get_idx(list, j));
			/* REPO:TAG (a tag has no '/': "REPO:5000/x" is another repository) or REPO@DIGEST. */
			if (s && !strncmp(s, repository, n) &&
			    ((s[n] == ':' && s[n + 1] && !strchr(s + n + 1, '/')) || s[n] == '@'))
				return 1;
		}
	}
	return 0;
}

char *dr_gate_answer_cut(const struct dr_gate_config *cfg, enum dr_gate_answer answer, const char *body,
			 size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *in = tok ? json_tokener_parse_ex(tok, body, (int)len) : NULL, *out = NULL;
	char *text = NULL;

	if (!in || json_tokener_get_error(tok) != json_tokener_success)
		goto done;
	if (answer == DR_GATE_IMAGE_IDS && json_object_is_type(in, json_type_array))
		out = relay_image_ids(in);
	else if (answer == DR_GATE_DATA_ROOT && json_object_is_type(in, json_type_object))
		out = relay_data_root(in);
	else if (answer == DR_GATE_REPO_IMAGE && json_object_is_type(in, json_type_object) &&
		 relay_of_repository(in, cfg->repository))
		out = json_object_get(in);
	if (out)
		text = strdup(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
done:
	json_object_put(out);
	json_object_put(in);
	if (tok)
		json_tokener_free(tok);
	return text;
}

int dr_gate_event_ours(const struct dr_gate_config *cfg, const char *line, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *event = tok ? json_tokener_parse_ex(tok, line, (int)len) : NULL, *actor, *attributes, *name;
	int ours = event && json_object_object_get_ex(event, "Actor", &actor) &&
		   json_object_object_get_ex(actor, "Attributes", &attributes) &&
		   json_object_object_get_ex(attributes, "name", &name) && json_object_is_type(name, json_type_string) &&
		   !strcmp(json_object_get_string(name), cfg->container_name);

	json_object_put(event);
	if (tok)
		json_tokener_free(tok);
	return ours;
}
