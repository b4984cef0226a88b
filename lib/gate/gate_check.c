/* gate_check.c: the Docker gate's table of calls and its request targets
 * (docs/architecture.md, the Docker gate). The JSON the engine reads is
 * checked and written anew in gate_json.c. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gate_check.h"
#include "gate_json.h"
#include "image_ref.h"
#include "number.h"

struct gate_param {
	char *key;
	char *value;
};

/* A target split once: the decoded path without its version, the version, the query. */
struct gate_target {
	char path[DR_GATE_TARGET_MAX];      /* "/containers/x/json", decoded */
	int version_minor;                  /* v1.NN as asked; -1: none */
	char query[DR_GATE_TARGET_MAX];     /* the decoded parameters, NUL-separated */
	struct gate_param params[DR_GATE_QUERY_MAX];
	int param_count;
	int used[DR_GATE_QUERY_MAX];        /* the rule looked at this parameter */
	char filters[DR_GATE_TARGET_MAX];   /* the filters parameter as the gate wrote it anew */
};

/* What stands in a rule's path between its prefix and its suffix. */
enum gate_hole {
	HOLE_NONE,       /* nothing: the path is the prefix */
	HOLE_CONTAINER,  /* this environment's container, by its name */
	HOLE_REF,        /* an image of the repository: REPO[:TAG][@DIGEST] */
	HOLE_IMAGE_ID,   /* an image id (sha256:...) */
};

/* One call the gate passes. Only a create carries a body; X-Registry-Auth passes (written
 * anew) only where auth is set; check looks at the parameters whose values matter. */
struct gate_rule {
	const char *method;
	const char *prefix;
	enum gate_hole hole;
	const char *suffix;
	const char *params;         /* optional parameters, space-separated, passed as they are */
	const char *call;
	enum dr_gate_answer answer;
	int body;
	int auth;
	int (*check)(const struct dr_gate_config *, struct gate_target *, struct dr_gate_decision *);
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

/* An API version segment "v1.NN": its minor number, or -1 when it is not one. */
static int gate_version_minor(const char *seg, size_t len)
{
	char digits[8];
	long minor;

	if (len < 4 || len > 7 || seg[0] != 'v' || seg[1] != '1' || seg[2] != '.')
		return -1;
	memcpy(digits, seg + 3, len - 3);
	digits[len - 3] = '\0';
	if (strspn(digits, "0123456789") != len - 3 || dr_parse_long(digits, 0, 999, &minor))
		return -1;
	return (int)minor;
}

/* The path: decoded, only name characters, no empty, "." or ".." segment, the version taken off. */
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
	if (decoded[0] != '/')
		return gate_refuse(out, "the path must start with /");
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
	end = strchr(decoded + 1, '/');
	len = end ? (size_t)(end - decoded - 1) : strlen(decoded + 1);
	t->version_minor = gate_version_minor(decoded + 1, len);
	if (t->version_minor < 0)
		return gate_refuse(out, "a call must name its API version (/v1.%d/ or later)", DR_GATE_API_MIN_MINOR);
	if (t->version_minor < DR_GATE_API_MIN_MINOR)
		return gate_refuse(out, "API versions below 1.%d are refused", DR_GATE_API_MIN_MINOR);
	if (!end)
		return gate_refuse(out, "an API version without a call");
	memcpy(t->path, end, strlen(end) + 1);
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

/* The filters parameter checked against rules and written anew: what the engine gets. */
static int gate_filters(struct gate_target *t, const struct dr_gate_filter_rule *rules, int n,
			struct dr_gate_decision *out)
{
	const char *text = gate_param(t, "filters");
	int i;

	if (!text)
		return gate_refuse(out, "filters: required here");
	if (dr_gate_filters_rewrite(text, rules, n, t->filters, sizeof t->filters, out->reason, sizeof out->reason))
		return -1;
	for (i = 0; i < t->param_count; i++)
		if (!strcmp(t->params[i].key, "filters"))
			t->params[i].value = t->filters;
	return 0;
}

static int gate_accept_equal(const void *ctx, const char *s) { return !strcmp(s, ctx); }
static int gate_accept_digest(const void *ctx, const char *s) { (void)ctx; return dr_image_digest_valid(s); }
static int gate_accept_event(const void *ctx, const char *s)
{
	(void)ctx;
	return s[0] && strlen(s) < 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == strlen(s);
}

static int gate_check_events(const struct dr_gate_config *cfg, struct gate_target *t, struct dr_gate_decision *out)
{
	const struct dr_gate_filter_rule rules[] = {
		{ "container", 1, gate_accept_equal, cfg->container_name },
		{ "event", 0, gate_accept_event, NULL },
		{ "type", 0, gate_accept_equal, "container" },
	};

	return gate_filters(t, rules, 3, out);
}

static int gate_check_image_list(const struct dr_gate_config *cfg, struct gate_target *t, struct dr_gate_decision *out)
{
	const struct dr_gate_filter_rule rules[] = { { "reference", 1, gate_accept_equal, cfg->repository } };

	return gate_filters(t, rules, 1, out);
}

static int gate_check_container_list(const struct dr_gate_config *cfg, struct gate_target *t,
				     struct dr_gate_decision *out)
{
	const struct dr_gate_filter_rule rules[] = { { "ancestor", 1, gate_accept_digest, NULL } };

	(void)cfg;
	return gate_filters(t, rules, 1, out);
}

static int gate_check_pull(const struct dr_gate_config *cfg, struct gate_target *t, struct dr_gate_decision *out)
{
	const char *image = gate_param(t, "fromImage"), *tag = gate_param(t, "tag");

	if (!image || strcmp(image, cfg->repository))
		return gate_refuse(out, "a pull must be of %s", cfg->repository);
	if (!tag || !(dr_image_digest_valid(tag) || gate_is_tag(tag, strlen(tag))))
		return gate_refuse(out, "a pull must name one tag or digest");
	return 0;
}

static int gate_check_create(const struct dr_gate_config *cfg, struct gate_target *t, struct dr_gate_decision *out)
{
	const char *name = gate_param(t, "name");

	if (!name || strcmp(name, cfg->container_name))
		return gate_refuse(out, "a container may be created only as %s", cfg->container_name);
	return 0;
}

static int gate_check_image_remove(const struct dr_gate_config *cfg, struct gate_target *t,
				   struct dr_gate_decision *out)
{
	(void)cfg;
	if (!gate_bool_is_false(gate_param(t, "force")))
		return gate_refuse(out, "an image is never removed with force");
	return 0;
}

/* Every call the agent makes, and nothing else. Exact paths before holes that could read them. */
static const struct gate_rule gate_rules[] = {
	{ "GET", "/_ping", HOLE_NONE, "", "", "ping", DR_GATE_PASS, 0, 0, NULL },
	{ "HEAD", "/_ping", HOLE_NONE, "", "", "ping", DR_GATE_PASS, 0, 0, NULL },
	{ "GET", "/version", HOLE_NONE, "", "", "version", DR_GATE_PASS, 0, 0, NULL },
	{ "GET", "/info", HOLE_NONE, "", "", "info", DR_GATE_DATA_ROOT, 0, 0, NULL },
	/* The engine matches a container filter as a prefix of a name: the gate keeps only exact ones. */
	{ "GET", "/events", HOLE_NONE, "", "since until", "events", DR_GATE_EVENTS, 0, 0, gate_check_events },
	{ "GET", "/containers/json", HOLE_NONE, "", "all", "container list", DR_GATE_IMAGE_IDS, 0, 0,
	  gate_check_container_list },
	{ "POST", "/containers/create", HOLE_NONE, "", "", "container create", DR_GATE_CREATED, 1, 0,
	  gate_check_create },
	{ "GET", "/containers/", HOLE_CONTAINER, "/json", "size", "container inspect", DR_GATE_PASS, 0, 0, NULL },
	{ "GET", "/containers/", HOLE_CONTAINER, "/logs", "stdout stderr tail since until timestamps follow",
	  "container logs", DR_GATE_PASS, 0, 0, NULL },
	{ "POST", "/containers/", HOLE_CONTAINER, "/wait", "condition", "container wait", DR_GATE_PASS, 0, 0, NULL },
	{ "POST", "/containers/", HOLE_CONTAINER, "/stop", "t", "container stop", DR_GATE_PASS, 0, 0, NULL },
	{ "POST", "/containers/", HOLE_CONTAINER, "/start", "", "container start", DR_GATE_START_CHECKED, 0, 0, NULL },
	{ "DELETE", "/containers/", HOLE_CONTAINER, "", "force v", "container remove", DR_GATE_PASS, 0, 0, NULL },
	{ "GET", "/images/json", HOLE_NONE, "", "digests", "image list", DR_GATE_PASS, 0, 0, gate_check_image_list },
	{ "POST", "/images/create", HOLE_NONE, "", "", "pull", DR_GATE_PASS, 0, 1, gate_check_pull },
	{ "GET", "/images/", HOLE_IMAGE_ID, "/json", "", "image inspect", DR_GATE_REPO_IMAGE, 0, 0, NULL },
	{ "GET", "/images/", HOLE_REF, "/json", "", "image inspect", DR_GATE_PASS, 0, 0, NULL },
	{ "DELETE", "/images/", HOLE_REF, "", "noprune", "image remove", DR_GATE_PASS, 0, 0, gate_check_image_remove },
	{ "GET", "/distribution/", HOLE_REF, "/json", "", "distribution inspect", DR_GATE_PASS, 0, 1, NULL },
};

/* Whether hole (len bytes at s) is what the rule's hole stands for. */
static int gate_hole_fits(const struct dr_gate_config *cfg, enum gate_hole hole, const char *s, size_t len)
{
	char ref[DR_GATE_TARGET_MAX];

	if (len == 0 || len >= sizeof ref)
		return 0;
	memcpy(ref, s, len);
	ref[len] = '\0';
	if (hole == HOLE_CONTAINER)
		return !strcmp(ref, cfg->container_name);
	if (hole == HOLE_IMAGE_ID)
		return dr_image_digest_valid(ref);
	return gate_ref_of_repository(cfg, ref);
}

static int gate_rule_fits(const struct dr_gate_config *cfg, const struct gate_rule *r, const char *method,
			  const char *path)
{
	size_t plen = strlen(r->prefix), slen = strlen(r->suffix), len = strlen(path);

	if (strcmp(method, r->method) || strncmp(path, r->prefix, plen))
		return 0;
	if (r->hole == HOLE_NONE)
		return len == plen;
	return len > plen + slen && !strcmp(path + len - slen, r->suffix) &&
	       gate_hole_fits(cfg, r->hole, path + plen, len - plen - slen);
}

/* Why no rule fits: name what the request reached for. */
static int gate_no_rule(const struct dr_gate_config *cfg, const char *method, const char *path,
			struct dr_gate_decision *out)
{
	size_t n = strlen(cfg->container_name);
	const char *rest;

	if (!strncmp(path, "/containers/", 12)) {
		rest = path + 12;
		if (strncmp(rest, cfg->container_name, n) || (rest[n] && rest[n] != '/'))
			return gate_refuse(out, "only the container %s may be addressed, by that name", cfg->container_name);
		return gate_refuse(out, "%s %s on the container is not a call this gate passes", method,
				   rest[n] ? rest + n + 1 : "(itself)");
	}
	if (!strncmp(path, "/images/", 8) || !strncmp(path, "/distribution/", 14)) {
		rest = strchr(path + 1, '/') + 1;
		if (strncmp(rest, cfg->repository, strlen(cfg->repository)))
			return gate_refuse(out, "only images of %s may be addressed", cfg->repository);
		return gate_refuse(out, "%s on an image is not a call this gate passes", method);
	}
	return gate_refuse(out, "%s %s is not a call this gate passes", method, path);
}

/* Bodies, content types and credentials: only where the rule has them. */
static int gate_check_framing(const struct gate_rule *r, const struct dr_gate_request *req, struct dr_gate_decision *out)
{
	const char *ct = req->content_type;

	if (!r->body && (req->has_body || ct))
		return gate_refuse(out, "only a create carries a body: %s %s has a body or a Content-Type", req->method,
				   r->call);
	if (r->body && !req->has_body)
		return gate_refuse(out, "a create must carry its body");
	if (r->body && (!ct || strncmp(ct, "application/json", 16) || (ct[16] && ct[16] != ';')))
		return gate_refuse(out, "a create's body must be application/json");
	if (req->registry_auth && !r->auth)
		return gate_refuse(out, "X-Registry-Auth is passed only on a pull or a distribution inspect");
	if (req->registry_auth &&
	    dr_gate_auth_rewrite(req->registry_auth, out->registry_auth, sizeof out->registry_auth, out->reason,
				 sizeof out->reason))
		return -1;
	return 0;
}

static int gate_match(const struct dr_gate_config *cfg, const struct dr_gate_request *req, struct gate_target *t,
		      struct dr_gate_decision *out)
{
	const struct gate_rule *r = NULL;
	size_t i;

	for (i = 0; i < sizeof gate_rules / sizeof gate_rules[0] && !r; i++)
		if (gate_rule_fits(cfg, &gate_rules[i], req->method, t->path))
			r = &gate_rules[i];
	if (!r)
		return gate_no_rule(cfg, req->method, t->path, out);
	out->call = r->call;
	out->answer = r->answer;
	out->checks_body = r->body;
	gate_params_allow(t, r->params);
	if (r->check && r->check(cfg, t, out))
		return -1;
	return gate_check_framing(r, req, out);
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

/* The target to send: the gate's version + the checked path + the checked parameters, encoded. */
static int gate_rebuild(const struct gate_target *t, struct dr_gate_decision *out)
{
	size_t o;
	int i, n;

	n = snprintf(out->target, sizeof out->target, "/v%s%s", DR_GATE_API_VERSION, t->path);
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

int dr_gate_check(const struct dr_gate_config *cfg, const struct dr_gate_request *req, struct dr_gate_decision *out)
{
	static struct gate_target t;
	const char *q = strchr(req->target, '?');
	size_t path_len = q ? (size_t)(q - req->target) : strlen(req->target);
	int i;

	memset(out, 0, sizeof *out);
	memset(&t, 0, sizeof t);
	out->call = "refused";
	if (strlen(req->target) >= DR_GATE_TARGET_MAX)
		return gate_refuse(out, "the request target is longer than %d bytes", DR_GATE_TARGET_MAX - 1);
	if (gate_split_path(&t, req->target, path_len, out) || gate_split_query(&t, q ? q + 1 : "", out) ||
	    gate_match(cfg, req, &t, out))
		return -1;
	for (i = 0; i < t.param_count; i++)
		if (!t.used[i])
			return gate_refuse(out, "the query parameter %.64s is not passed on %s", t.params[i].key, t.path);
	if (gate_rebuild(&t, out))
		return -1;
	out->allowed = 1;
	return 0;
}

/* Whether s holds only hex digits, or is "sha256": a name the engine may read as an image id (prefix). */
static int gate_id_like(const char *s)
{
	return !strcmp(s, "sha256") || strspn(s, "0123456789abcdef") == strlen(s);
}

int dr_gate_config_check(const struct dr_gate_config *cfg, char *reason, size_t cap)
{
	const char *name = cfg->container_name, *last;
	struct dr_error err = { 0 };

	if (!name || !name[0] || strlen(name) > 128 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(name))
		return snprintf(reason, cap, "CONTAINER_NAME is not a Docker container name"), -1;
	/* The engine looks a name up as an id prefix too: a name of hex digits only could reach another container. */
	if (strspn(name, "0123456789abcdef") == strlen(name))
		return snprintf(reason, cap, "CONTAINER_NAME of hex digits only could match another container's id"), -1;
	/* The agent's own rule for the name (a registry and a path)... */
	if (!cfg->repository || dr_image_repository_check(cfg->repository, &err))
		return snprintf(reason, cap, "IMAGE_REPOSITORY is not a repository name: %.160s",
				cfg->repository ? err.reason : "missing"), -1;
	/* ...and, like a name above, no last part the engine could search as an image id prefix. */
	last = strrchr(cfg->repository, '/');
	if (gate_id_like(last + 1))
		return snprintf(reason, cap, "IMAGE_REPOSITORY must be HOST/NAME, its last part not hex digits only"), -1;
	if (!cfg->binds[0] || !cfg->binds[1] || cfg->binds[0][0] != '/' || cfg->binds[1][0] != '/')
		return snprintf(reason, cap, "AUDIT_EVENTS_PATH and SNAPSHOTS_PATH must be absolute paths"), -1;
	if (!cfg->allowed_plane || strcmp(cfg->allowed_plane, "paper"))
		return snprintf(reason, cap, "ALLOW_EXECUTION_PLANE must be paper"), -1;
	return 0;
}
