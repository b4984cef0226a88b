/* gate_check.c: the Docker gate's allow-list (docs/architecture.md, the Docker gate). */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "gate_check.h"
#include "image_ref.h"
#include "json_strict.h"
#include "number.h"

#define GATE_JSON_DEPTH 6

struct gate_param {
	char *key;
	char *value;
};

/* A target split once: the decoded path without its version, the version, the query. */
struct gate_target {
	char path[DR_GATE_TARGET_MAX];      /* "/containers/x/json", decoded */
	char version[16];                   /* "v1.41", or "" */
	char query[DR_GATE_TARGET_MAX];     /* the decoded parameters, NUL-separated */
	struct gate_param params[DR_GATE_QUERY_MAX];
	int param_count;
	int used[DR_GATE_QUERY_MAX];        /* the rule looked at this parameter */
};

static int gate_refuse(struct dr_gate_decision *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof out->reason, fmt, ap);
	va_end(ap);
	out->allowed = 0;
	return -1;
}

/* Characters a path may hold once decoded: those of names, references and versions. */
static int gate_path_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("-._:@/", c));
}

/* Decode n bytes of in into out (cap); plus_space: '+' is a space (a query). -1 on a bad escape. */
static int gate_decode(const char *in, size_t n, int plus_space, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)in[i];
		if (c == '%') {
			if (i + 2 >= n || dr_hex_digit(in[i + 1]) < 0 || dr_hex_digit(in[i + 2]) < 0)
				return -1;
			c = dr_hex_digit(in[i + 1]) * 16 + dr_hex_digit(in[i + 2]);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		if (o + 1 >= cap || c == 0)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* The path: decoded, only name characters, no empty, "." or ".." segment, version taken off. */
static int gate_split_path(struct gate_target *t, const char *raw, size_t n, struct dr_gate_decision *out)
{
	char decoded[DR_GATE_TARGET_MAX];
	const char *seg, *end;
	size_t i, len;

	if (gate_decode(raw, n, 0, decoded, sizeof decoded))
		return gate_refuse(out, "the path has a malformed or NUL percent-escape");
	for (i = 0; decoded[i]; i++)
		if (!gate_path_char((unsigned char)decoded[i]))
			return gate_refuse(out, "the path holds a character no Docker name has (0x%02x)", (unsigned char)decoded[i]);
	for (seg = decoded; *seg == '/'; seg = end) {
		end = strchr(seg + 1, '/');
		len = end ? (size_t)(end - seg - 1) : strlen(seg + 1);
		if (len == 0)
			return gate_refuse(out, "the path has an empty segment (// or a trailing /)");
		if ((len == 1 && seg[1] == '.') || (len == 2 && seg[1] == '.' && seg[2] == '.'))
			return gate_refuse(out, "the path has a . or .. segment");
		if (!end)
			break;
	}
	if (decoded[0] != '/')
		return gate_refuse(out, "the path must start with /");
	/* An optional API version first: /v1.41/... */
	if (decoded[1] == 'v' && decoded[2] >= '0' && decoded[2] <= '9') {
		end = strchr(decoded + 1, '/');
		len = end ? (size_t)(end - decoded - 1) : strlen(decoded + 1);
		for (i = 2; i < len + 1; i++)
			if (!((decoded[i] >= '0' && decoded[i] <= '9') || decoded[i] == '.'))
				return gate_refuse(out, "the path's first segment is not an API version");
		if (!end || len >= sizeof t->version)
			return gate_refuse(out, "an API version without a call");
		memcpy(t->version, decoded + 1, len);
		t->version[len] = '\0';
		memmove(decoded, end, strlen(end) + 1);
	}
	memcpy(t->path, decoded, strlen(decoded) + 1);
	return 0;
}

/* The query: key=value pairs, each decoded once, no key twice, no empty pair, no ';'. */
static int gate_split_query(struct gate_target *t, const char *raw, struct dr_gate_decision *out)
{
	char *o = t->query;
	size_t room = sizeof t->query;
	const char *pair = raw;

	if (!*raw)
		return 0;
	if (strchr(raw, ';') || strchr(raw, '#'))
		return gate_refuse(out, "the query holds ';' or '#'");
	for (;;) {
		const char *amp = strchr(pair, '&'), *end = amp ? amp : pair + strlen(pair);
		const char *eq = memchr(pair, '=', (size_t)(end - pair));
		size_t klen = eq ? (size_t)(eq - pair) : (size_t)(end - pair), vlen, i;
		struct gate_param *p;

		if (klen == 0)
			return gate_refuse(out, "the query has an empty parameter");
		if (t->param_count >= DR_GATE_QUERY_MAX)
			return gate_refuse(out, "the query has more than %d parameters", DR_GATE_QUERY_MAX);
		p = &t->params[t->param_count];
		if (gate_decode(pair, klen, 1, o, room))
			return gate_refuse(out, "a query parameter has a malformed percent-escape");
		p->key = o;
		room -= strlen(o) + 1, o += strlen(o) + 1;
		vlen = eq ? (size_t)(end - eq - 1) : 0;
		if (gate_decode(eq ? eq + 1 : "", vlen, 1, o, room))
			return gate_refuse(out, "a query value has a malformed percent-escape");
		p->value = o;
		room -= strlen(o) + 1, o += strlen(o) + 1;
		for (i = 0; p->value[i]; i++)
			if ((unsigned char)p->value[i] < 0x20 || p->value[i] == 0x7f)
				return gate_refuse(out, "a query value holds a control character");
		for (i = 0; i < (size_t)t->param_count; i++)
			if (!strcmp(t->params[i].key, p->key))
				return gate_refuse(out, "the query names %.64s twice", p->key);
		t->param_count++;
		if (!amp)
			return 0;
		pair = amp + 1;
	}
}

/* The value of parameter key, or NULL; marks it as looked at. */
static const char *gate_param(struct gate_target *t, const char *key)
{
	int i;

	for (i = 0; i < t->param_count; i++)
		if (!strcmp(t->params[i].key, key)) {
			t->used[i] = 1;
			return t->params[i].value;
		}
	return NULL;
}

/* Mark the optional parameters listed (space-separated) as allowed. */
static void gate_params_allow(struct gate_target *t, const char *keys)
{
	char key[32];
	const char *k = keys;

	while (*k) {
		size_t n = strcspn(k, " ");
		if (n < sizeof key) {
			memcpy(key, k, n);
			key[n] = '\0';
			gate_param(t, key);
		}
		k += n + (k[n] == ' ');
	}
}

static int gate_bool_is_false(const char *v)
{
	return !v || !strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE");
}

static int gate_is_tag(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 128 || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

/* ref names the repository: REPO, REPO:TAG, REPO@DIGEST or REPO:TAG@DIGEST. */
static int gate_ref_of_repository(const struct dr_gate_config *cfg, const char *ref)
{
	size_t n = strlen(cfg->repository);
	const char *rest = ref + n, *at;

	if (strncmp(ref, cfg->repository, n))
		return 0;
	if (!*rest)
		return 1;
	at = strchr(rest, '@');
	if (at && !dr_image_digest_valid(at + 1))
		return 0;
	if (*rest == '@')
		return 1;
	return *rest == ':' && gate_is_tag(rest + 1, (size_t)((at ? at : rest + strlen(rest)) - rest - 1));
}

/* Parse len bytes of strict JSON text (need not be terminated) into an object; NULL when it is not one. */
static json_object *gate_json_object(const char *text, size_t len, char *why, size_t cap)
{
	json_tokener *tok;
	json_object *o = NULL;

	if (dr_json_strict_check(text, len, GATE_JSON_DEPTH, NULL, why, cap))
		return NULL;
	if ((tok = json_tokener_new_ex(GATE_JSON_DEPTH + 1))) {
		o = json_tokener_parse_ex(tok, text, (int)len);
		json_tokener_free(tok);
	}
	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(why, cap, "not a JSON object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Every element of array v is a string passing accept(ctx, s); at least one. */
static int gate_strings_all(json_object *v, int (*accept)(const void *, const char *), const void *ctx)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array) || !(n = json_object_array_length(v)))
		return 0;
	for (i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(v, i);
		if (!json_object_is_type(s, json_type_string) || !accept(ctx, json_object_get_string(s)))
			return 0;
	}
	return 1;
}

static int gate_accept_equal(const void *ctx, const char *s) { return !strcmp(s, ctx); }
static int gate_accept_digest(const void *ctx, const char *s) { (void)ctx; return dr_image_digest_valid(s); }
static int gate_accept_event(const void *ctx, const char *s)
{
	(void)ctx;
	return s[0] && strlen(s) < 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == strlen(s);
}

struct gate_filter_rule {
	const char *key;
	int required;
	int (*accept)(const void *, const char *);
	const void *ctx;
};

/* A filters parameter: a JSON object of string arrays, its keys among rules, the required ones present. */
static int gate_check_filters(const char *text, const struct gate_filter_rule *rules, int n_rules,
			      struct dr_gate_decision *out)
{
	char why[160];
	json_object *o = text ? gate_json_object(text, strlen(text), why, sizeof why) : NULL;
	int i, rc = 0;

	if (!o)
		return gate_refuse(out, "filters: %s", text ? why : "required here");
	json_object_object_foreach(o, key, value) {
		for (i = 0; i < n_rules && strcmp(rules[i].key, key); i++)
			;
		if (i == n_rules) {
			rc = gate_refuse(out, "filters: %.64s is not a filter this gate passes", key);
			goto done;
		}
		if (!gate_strings_all(value, rules[i].accept, rules[i].ctx)) {
			rc = gate_refuse(out, "filters: %s names something other than this environment's", key);
			goto done;
		}
	}
	for (i = 0; i < n_rules; i++)
		if (rules[i].required && !json_object_object_get_ex(o, rules[i].key, NULL)) {
			rc = gate_refuse(out, "filters: %s is required here", rules[i].key);
			goto done;
		}
done:
	json_object_put(o);
	return rc;
}

static int gate_check_event_filters(const struct dr_gate_config *cfg, struct gate_target *t, struct dr_gate_decision *out)
{
	const struct gate_filter_rule rules[] = {
		{ "container", 1, gate_accept_equal, cfg->container_name },
		{ "event", 0, gate_accept_event, NULL },
		{ "type", 0, gate_accept_equal, "container" },
	};

	gate_params_allow(t, "since until");
	return gate_check_filters(gate_param(t, "filters"), rules, 3, out);
}

static int gate_check_image_list(const struct dr_gate_config *cfg, struct gate_target *t, struct dr_gate_decision *out)
{
	const struct gate_filter_rule rules[] = { { "reference", 1, gate_accept_equal, cfg->repository } };

	gate_params_allow(t, "digests");
	return gate_check_filters(gate_param(t, "filters"), rules, 1, out);
}

static int gate_check_container_list(struct gate_target *t, struct dr_gate_decision *out)
{
	const struct gate_filter_rule rules[] = { { "ancestor", 1, gate_accept_digest, NULL } };

	gate_params_allow(t, "all");
	out->answer = DR_GATE_IMAGE_IDS;
	return gate_check_filters(gate_param(t, "filters"), rules, 1, out);
}

static int gate_check_pull(const struct dr_gate_config *cfg, struct gate_target *t, struct dr_gate_decision *out)
{
	const char *image = gate_param(t, "fromImage"), *tag = gate_param(t, "tag");

	gate_params_allow(t, "platform");
	if (!image || strcmp(image, cfg->repository))
		return gate_refuse(out, "a pull must be of %s", cfg->repository);
	if (!tag || !(dr_image_digest_valid(tag) || gate_is_tag(tag, strlen(tag))))
		return gate_refuse(out, "a pull must name one tag or digest");
	return 0;
}

static int gate_check_create(const struct dr_gate_config *cfg, struct gate_target *t, struct dr_gate_decision *out)
{
	const char *name = gate_param(t, "name");

	gate_params_allow(t, "platform");
	if (!name || strcmp(name, cfg->container_name))
		return gate_refuse(out, "a container may be created only as %s", cfg->container_name);
	out->checks_body = 1;
	return 0;
}

/* Calls on /containers/NAME[/what] of this environment's container. */
static int gate_check_container(const struct dr_gate_config *cfg, const char *method, const char *rest,
				struct gate_target *t, struct dr_gate_decision *out)
{
	size_t n = strlen(cfg->container_name);
	const char *what;

	if (strncmp(rest, cfg->container_name, n) || (rest[n] && rest[n] != '/'))
		return gate_refuse(out, "only the container %s may be addressed, by that name", cfg->container_name);
	what = rest[n] ? rest + n + 1 : "";
	if (!strcmp(method, "GET") && !strcmp(what, "json"))
		return out->call = "container inspect", gate_params_allow(t, "size"), 0;
	if (!strcmp(method, "GET") && !strcmp(what, "logs"))
		return out->call = "container logs", gate_params_allow(t, "stdout stderr tail since until timestamps follow"), 0;
	if (!strcmp(method, "POST") && !strcmp(what, "wait"))
		return out->call = "container wait", gate_params_allow(t, "condition"), 0;
	if (!strcmp(method, "POST") && !strcmp(what, "stop"))
		return out->call = "container stop", gate_params_allow(t, "t"), 0;
	if (!strcmp(method, "POST") && !strcmp(what, "start"))
		return out->call = "container start", 0;
	if (!strcmp(method, "DELETE") && !*what)
		return out->call = "container remove", gate_params_allow(t, "force v"), 0;
	return gate_refuse(out, "%s %s on the container is not a call this gate passes", method, *what ? what : "(itself)");
}

/* Calls on /images/REF/json, /images/REF and /distribution/REF/json. */
static int gate_check_image(const struct dr_gate_config *cfg, const char *method, const char *path,
			    struct gate_target *t, struct dr_gate_decision *out)
{
	char ref[DR_GATE_TARGET_MAX];
	int distribution = !strncmp(path, "/distribution/", 14);
	const char *start = path + (distribution ? 14 : 8);
	size_t len = strlen(start);
	int inspect = len > 5 && !strcmp(start + len - 5, "/json");

	memcpy(ref, start, len + 1);
	if (inspect)
		ref[len - 5] = '\0';
	if (!strcmp(method, "GET") && inspect && !distribution && dr_image_digest_valid(ref))
		return out->call = "image inspect", out->answer = DR_GATE_REPO_IMAGE, 0;
	if (!gate_ref_of_repository(cfg, ref))
		return gate_refuse(out, "only images of %s may be addressed", cfg->repository);
	if (!strcmp(method, "GET") && inspect)
		return out->call = distribution ? "distribution inspect" : "image inspect", 0;
	if (!strcmp(method, "DELETE") && !inspect && !distribution) {
		out->call = "image remove";
		gate_params_allow(t, "noprune");
		if (!gate_bool_is_false(gate_param(t, "force")))
			return gate_refuse(out, "an image is never removed with force");
		return 0;
	}
	return gate_refuse(out, "%s on an image is not a call this gate passes", method);
}

static int gate_match(const struct dr_gate_config *cfg, const char *method, struct gate_target *t,
		      struct dr_gate_decision *out)
{
	const char *p = t->path;
	int get = !strcmp(method, "GET"), post = !strcmp(method, "POST");

	if ((get || !strcmp(method, "HEAD")) && !strcmp(p, "/_ping"))
		return out->call = "ping", 0;
	if (get && !strcmp(p, "/version"))
		return out->call = "version", 0;
	if (get && !strcmp(p, "/info"))
		return out->call = "info", out->answer = DR_GATE_DATA_ROOT, 0;
	if (get && !strcmp(p, "/events"))
		return out->call = "events", gate_check_event_filters(cfg, t, out);
	if (get && !strcmp(p, "/containers/json"))
		return out->call = "container list", gate_check_container_list(t, out);
	if (post && !strcmp(p, "/containers/create"))
		return out->call = "container create", gate_check_create(cfg, t, out);
	if (!strncmp(p, "/containers/", 12))
		return gate_check_container(cfg, method, p + 12, t, out);
	if (get && !strcmp(p, "/images/json"))
		return out->call = "image list", gate_check_image_list(cfg, t, out);
	if (post && !strcmp(p, "/images/create"))
		return out->call = "pull", gate_check_pull(cfg, t, out);
	if (!strncmp(p, "/images/", 8) || (get && !strncmp(p, "/distribution/", 14)))
		return gate_check_image(cfg, method, p, t, out);
	return gate_refuse(out, "%s %s is not a call this gate passes", method, p);
}

/* Unreserved characters stay; everything else in a value is percent-encoded. */
static int gate_encode(const char *s, char *out, size_t cap, size_t *o)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c);
		if (*o + (plain ? 1 : 3) >= cap)
			return -1;
		if (plain) {
			out[(*o)++] = (char)c;
		} else {
			out[(*o)++] = '%';
			out[(*o)++] = hex[c >> 4];
			out[(*o)++] = hex[c & 15];
		}
	}
	out[*o] = '\0';
	return 0;
}

/* The target to send: /VERSION + the checked path + the checked parameters, encoded. */
static int gate_rebuild(const struct gate_target *t, struct dr_gate_decision *out)
{
	size_t o;
	int i, n;

	n = snprintf(out->target, sizeof out->target, "%s%s%s", t->version[0] ? "/" : "", t->version, t->path);
	if (n < 0 || (size_t)n >= sizeof out->target)
		return gate_refuse(out, "the request target is too long");
	o = (size_t)n;
	for (i = 0; i < t->param_count; i++) {
		if (o + 2 >= sizeof out->target)
			return gate_refuse(out, "the request target is too long");
		out->target[o++] = i ? '&' : '?';
		if (gate_encode(t->params[i].key, out->target, sizeof out->target, &o) || o + 2 >= sizeof out->target)
			return gate_refuse(out, "the request target is too long");
		out->target[o++] = '=';
		if (gate_encode(t->params[i].value, out->target, sizeof out->target, &o))
			return gate_refuse(out, "the request target is too long");
	}
	out->target[o] = '\0';
	return 0;
}

int dr_gate_check(const struct dr_gate_config *cfg, const char *method, const char *target,
		  struct dr_gate_decision *out)
{
	static struct gate_target t;
	const char *q = strchr(target, '?');
	size_t path_len = q ? (size_t)(q - target) : strlen(target);
	int i;

	memset(out, 0, sizeof *out);
	memset(&t, 0, sizeof t);
	out->call = "refused";
	if (strlen(target) >= DR_GATE_TARGET_MAX)
		return gate_refuse(out, "the request target is longer than %d bytes", DR_GATE_TARGET_MAX - 1);
	if (gate_split_path(&t, target, path_len, out) || gate_split_query(&t, q ? q + 1 : "", out) ||
	    gate_match(cfg, method, &t, out))
		return -1;
	for (i = 0; i < t.param_count; i++)
		if (!t.used[i])
			return gate_refuse(out, "the query parameter %.64s is not passed on %s", t.params[i].key, t.path);
	if (gate_rebuild(&t, out))
		return -1;
	out->allowed = 1;
	return 0;
}

/* The create body's HostConfig: exactly the two binds, the restart policy, the network. */
static int gate_check_host_config(const struct dr_gate_config *cfg, json_object *host, char *reason, size_t cap)
{
	json_object *binds = NULL;
	int seen[2] = { 0, 0 };
	size_t i;

	if (!json_object_is_type(host, json_type_object))
		return snprintf(reason, cap, "HostConfig must be an object"), -1;
	json_object_object_foreach(host, key, value) {
		if (!strcmp(key, "Binds")) {
			binds = value;
		} else if (!strcmp(key, "RestartPolicy")) {
			json_object *name;
			if (!json_object_is_type(value, json_type_object) || !json_object_object_get_ex(value, "Name", &name) ||
			    json_object_object_length(value) != 1 || !json_object_is_type(name, json_type_string))
				return snprintf(reason, cap, "HostConfig.RestartPolicy must hold a Name only"), -1;
		} else if (!strcmp(key, "NetworkMode")) {
			if (!cfg->network || !json_object_is_type(value, json_type_string) ||
			    strcmp(json_object_get_string(value), cfg->network))
				return snprintf(reason, cap, "HostConfig.NetworkMode must be this environment's network"), -1;
		} else {
			return snprintf(reason, cap, "HostConfig.%.64s is not allowed", key), -1;
		}
	}
	if (!binds || !json_object_is_type(binds, json_type_array) || json_object_array_length(binds) != 2)
		return snprintf(reason, cap, "HostConfig.Binds must be exactly this environment's two binds"), -1;
	for (i = 0; i < 2; i++) {
		json_object *b = json_object_array_get_idx(binds, i);
		const char *s = json_object_is_type(b, json_type_string) ? json_object_get_string(b) : "";
		int which = !strcmp(s, cfg->binds[0]) ? 0 : !strcmp(s, cfg->binds[1]) ? 1 : -1;
		if (which < 0 || seen[which]++)
			return snprintf(reason, cap, "HostConfig.Binds must be exactly this environment's two binds"), -1;
	}
	return 0;
}

static int gate_accept_env(const void *ctx, const char *s) { (void)ctx; return strchr(s, '=') != NULL; }

/* Env: an array, empty or of NAME=value strings. */
static int gate_check_env(json_object *v)
{
	return json_object_is_type(v, json_type_array) &&
	       (json_object_array_length(v) == 0 || gate_strings_all(v, gate_accept_env, NULL));
}

/* Image must be the repository by digest. */
static int gate_check_image_member(const struct dr_gate_config *cfg, json_object *v)
{
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	size_t n = strlen(cfg->repository);

	return !strncmp(s, cfg->repository, n) && s[n] == '@' && dr_image_digest_valid(s + n + 1);
}

static int gate_check_labels(json_object *v)
{
	if (!json_object_is_type(v, json_type_object))
		return 0;
	json_object_object_foreach(v, key, value) {
		(void)key;
		if (!json_object_is_type(value, json_type_string))
			return 0;
	}
	return 1;
}

int dr_gate_check_create_body(const struct dr_gate_config *cfg, const char *body, size_t len, char *reason,
			      size_t cap)
{
	char why[160];
	json_object *o;
	int rc = -1;

	if (len > DR_GATE_BODY_MAX)
		return snprintf(reason, cap, "the create body is larger than %d bytes", DR_GATE_BODY_MAX), -1;
	if (!(o = gate_json_object(body, len, why, sizeof why)))
		return snprintf(reason, cap, "the create body: %s", why), -1;
	if (!json_object_object_get_ex(o, "Image", NULL) || !json_object_object_get_ex(o, "HostConfig", NULL)) {
		snprintf(reason, cap, "the create body must name Image and HostConfig");
		goto done;
	}
	json_object_object_foreach(o, key, value) {
		if (!strcmp(key, "Image") ? !gate_check_image_member(cfg, value) :
		    !strcmp(key, "Env") ? !gate_check_env(value) :
		    !strcmp(key, "Labels") ? !gate_check_labels(value) :
		    !strcmp(key, "HostConfig") ? gate_check_host_config(cfg, value, reason, cap) != 0 : 1) {
			if (strcmp(key, "HostConfig"))
				snprintf(reason, cap, "%.64s is not allowed%s", key,
					 !strcmp(key, "Image") ? ": it must be this environment's repository by digest" :
					 !strcmp(key, "Env") || !strcmp(key, "Labels") ? " in that form" : "");
			goto done;
		}
	}
	rc = 0;
done:
	json_object_put(o);
	return rc;
}

int dr_gate_config_check(const struct dr_gate_config *cfg, char *reason, size_t cap)
{
	const char *name = cfg->container_name;

	if (!name || !name[0] || strlen(name) > 128 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(name))
		return snprintf(reason, cap, "CONTAINER_NAME is not a Docker container name"), -1;
	/* The engine looks a name up as an id prefix too: a name of hex digits only could reach another container. */
	if (strspn(name, "0123456789abcdef") == strlen(name))
		return snprintf(reason, cap, "CONTAINER_NAME of hex digits only could match another container's id"), -1;
	if (!cfg->repository || !cfg->repository[0] || strlen(cfg->repository) > 255 ||
	    strspn(cfg->repository, "abcdefghijklmnopqrstuvwxyz0123456789._-/:") != strlen(cfg->repository))
		return snprintf(reason, cap, "IMAGE_REPOSITORY is not a repository name"), -1;
	if (!cfg->binds[0] || !cfg->binds[1] || cfg->binds[0][0] != '/' || cfg->binds[1][0] != '/')
		return snprintf(reason, cap, "AUDIT_EVENTS_PATH and SNAPSHOTS_PATH must be absolute paths"), -1;
	return 0;
}
