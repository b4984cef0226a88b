/* gate_create.c: a create through the Docker gate. The body is decoded
 * into the container contract's fields (container.h), each checked against
 * this environment, and written anew by the contract's one writer; after
 * the engine made the container, what it made is compared with what was
 * checked, field by field where a field grants privilege. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "container.h"
#include "gate_create.h"
#include "gate_json.h"
#include "image_ref.h"
#include "runtime_env.h"

#define GATE_REFUSE(reason, cap, ...) (snprintf((reason), (cap), __VA_ARGS__), -1)

/* Whether image (may be NULL) is REPOSITORY@sha256:... of this environment's repository. */
static int create_by_digest(const struct dr_gate_config *cfg, const char *image)
{
	size_t n = strlen(cfg->repository);

	return image && !strncmp(image, cfg->repository, n) && image[n] == '@' && dr_image_digest_valid(image + n + 1);
}

/* The string value of v, "" when it is not one. */
static const char *create_string(json_object *v)
{
	const char *s = dr_gate_json_string(v);

	return s ? s : "";
}

/* Image: the repository by digest. */
static int create_image(const struct dr_gate_config *cfg, json_object *v, struct dr_container_body *b, char *why,
			size_t cap)
{
	const char *s = create_string(v);

	if (!create_by_digest(cfg, s))
		return GATE_REFUSE(why, cap, "Image is not allowed: it must be this environment's repository by digest");
	b->image = s;
	return 0;
}

/* The runtime's variables of b's Env checked by the rules the agent applies to its runtime env
 * file (runtime_env.h): a compromised agent gets no other plane, database or mode past the gate. */
static int create_env_rules(const struct dr_gate_config *cfg, const struct dr_container_body *b, char *why, size_t cap)
{
	static struct dr_problems problems;
	struct dr_runtime_env rt = { { 0 } };
	int i, k, rc = 0;

	memset(&problems, 0, sizeof problems);
	for (i = 0; i < b->env_count && !rc; i++) {
		const char *eq = strchr(b->env[i], '=');
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(eq - b->env[i]), b->env[i]);
		if ((k = dr_runtime_var_index(name)) >= 0 && !(rt.values[k] = strdup(eq + 1)))
			rc = GATE_REFUSE(why, cap, "Env: out of memory");
	}
	if (!rc)
		dr_runtime_env_validate(&rt, !strcmp(cfg->environment, "prod") ? DR_ENV_PROD : DR_ENV_DEV, cfg->allowed_plane,
					&problems);
	if (!rc && problems.count)
		rc = GATE_REFUSE(why, cap, "Env: %.200s", problems.text[0]);
	dr_runtime_env_free(&rt);
	return rc;
}

/* Env: NAME=value items, the runtime's ten variables and ENVIRONMENT (this one), each once. */
static int create_env(const struct dr_gate_config *cfg, json_object *v, struct dr_container_body *b, char *why,
		      size_t cap)
{
	size_t i, j, n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
	int environment = 0;

	if (!json_object_is_type(v, json_type_array) || n > DR_CONTAINER_ENV_MAX)
		return GATE_REFUSE(why, cap, "Env is not allowed in that form: at most %d NAME=value strings", DR_CONTAINER_ENV_MAX);
	for (i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(v, i);
		const char *s = create_string(item);
		const char *eq = strchr(s, '=');
		if (!eq || !dr_container_env_name(s, (size_t)(eq - s)))
			return GATE_REFUSE(why, cap, "Env is not allowed in that form: %.40s is not a variable of the runtime", s);
		for (j = 0; j < i; j++)
			if (!strncmp(b->env[j], s, (size_t)(eq - s) + 1))
				return GATE_REFUSE(why, cap, "Env names %.*s twice", (int)(eq - s < 40 ? eq - s : 40), s);
		if (!strncmp(s, "ENVIRONMENT=", 12) && strcmp(s + 12, cfg->environment))
			return GATE_REFUSE(why, cap, "Env: ENVIRONMENT must be %s", cfg->environment);
		environment |= !strncmp(s, "ENVIRONMENT=", 12);
		b->env[i] = s;
	}
	b->env_count = (int)n;
	if (!environment)
		return GATE_REFUSE(why, cap, "Env must name ENVIRONMENT=%s", cfg->environment);
	return create_env_rules(cfg, b, why, cap);
}

/* Labels: the contract's labels, strings; the environment label names this one. */
static int create_labels(const struct dr_gate_config *cfg, json_object *v, struct dr_container_body *b, char *why,
			 size_t cap)
{
	if (!json_object_is_type(v, json_type_object))
		return GATE_REFUSE(why, cap, "Labels is not allowed in that form");
	json_object_object_foreach(v, key, value) {
		int i = dr_container_label_index(key);
		if (i < 0 || !json_object_is_type(value, json_type_string))
			return GATE_REFUSE(why, cap, "Labels: %.64s is not a label of the runtime container", key);
		b->labels[i] = json_object_get_string(value);
	}
	if (b->labels[DR_CONTAINER_LABEL_ENVIRONMENT] && strcmp(b->labels[DR_CONTAINER_LABEL_ENVIRONMENT], cfg->environment))
		return GATE_REFUSE(why, cap, "Labels: %s must be %s", dr_container_label_names[DR_CONTAINER_LABEL_ENVIRONMENT],
				   cfg->environment);
	return 0;
}

/* HostConfig.Binds: exactly this environment's two, each once. */
static int create_binds(const struct dr_gate_config *cfg, json_object *v, struct dr_container_body *b, char *why,
			size_t cap)
{
	size_t i;

	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != DR_CONTAINER_BINDS)
		return GATE_REFUSE(why, cap, "HostConfig.Binds must be exactly this environment's two binds");
	for (i = 0; i < DR_CONTAINER_BINDS; i++) {
		json_object *item = json_object_array_get_idx(v, i);
		const char *s = create_string(item);
		int which = !strcmp(s, cfg->binds[0]) ? 0 : !strcmp(s, cfg->binds[1]) ? 1 : -1;
		if (which < 0 || b->binds[which])
			return GATE_REFUSE(why, cap, "HostConfig.Binds must be exactly this environment's two binds");
		b->binds[which] = cfg->binds[which];
	}
	return 0;
}

static int create_restart(json_object *v, struct dr_container_body *b, char *why, size_t cap)
{
	json_object *name;

	if (!json_object_is_type(v, json_type_object) || json_object_object_length(v) != 1 ||
	    !json_object_object_get_ex(v, "Name", &name) || !json_object_is_type(name, json_type_string) ||
	    strcmp(json_object_get_string(name), DR_CONTAINER_RESTART_POLICY))
		return GATE_REFUSE(why, cap, "HostConfig.RestartPolicy must be {\"Name\": \"%s\"}", DR_CONTAINER_RESTART_POLICY);
	b->restart_policy = DR_CONTAINER_RESTART_POLICY;
	return 0;
}

/* HostConfig: the binds, the restart policy, the network; nothing else. */
static int create_host_config(const struct dr_gate_config *cfg, json_object *host, struct dr_container_body *b,
			      char *why, size_t cap)
{
	if (!json_object_is_type(host, json_type_object))
		return GATE_REFUSE(why, cap, "HostConfig must be an object");
	json_object_object_foreach(host, key, value) {
		int rc;
		if (!strcmp(key, "Binds"))
			rc = create_binds(cfg, value, b, why, cap);
		else if (!strcmp(key, "RestartPolicy"))
			rc = create_restart(value, b, why, cap);
		else if (!strcmp(key, "NetworkMode") && cfg->network && json_object_is_type(value, json_type_string) &&
			 !strcmp(json_object_get_string(value), cfg->network))
			rc = (b->network = cfg->network, 0);
		else if (!strcmp(key, "NetworkMode"))
			rc = GATE_REFUSE(why, cap, "HostConfig.NetworkMode must be this environment's network");
		else
			rc = GATE_REFUSE(why, cap, "HostConfig.%.64s is not allowed", key);
		if (rc)
			return -1;
	}
	if (!b->binds[0] || !b->restart_policy)
		return GATE_REFUSE(why, cap, "HostConfig must hold this environment's Binds and RestartPolicy");
	if (cfg->network && !b->network)
		return GATE_REFUSE(why, cap, "HostConfig.NetworkMode must be this environment's network (%s)", cfg->network);
	return 0;
}

/* The body's members into b, each checked; 0, or -1 with why. */
static int create_decode(const struct dr_gate_config *cfg, json_object *o, struct dr_container_body *b, char *why,
			 size_t cap)
{
	json_object_object_foreach(o, key, value) {
		int rc;
		if (!strcmp(key, "Image"))
			rc = create_image(cfg, value, b, why, cap);
		else if (!strcmp(key, "Env"))
			rc = create_env(cfg, value, b, why, cap);
		else if (!strcmp(key, "Labels"))
			rc = create_labels(cfg, value, b, why, cap);
		else if (!strcmp(key, "HostConfig"))
			rc = create_host_config(cfg, value, b, why, cap);
		else
			rc = GATE_REFUSE(why, cap, "%.64s is not allowed", key);
		if (rc)
			return -1;
	}
	if (!b->image || !b->binds[0] || !b->env_count)
		return GATE_REFUSE(why, cap, "the create body must name Image, Env and HostConfig");
	return 0;
}

int dr_gate_check_create_body(const struct dr_gate_config *cfg, const char *body, size_t len,
			      struct dr_gate_decision *d, struct dr_buf *out)
{
	struct dr_container_body b = { 0 };
	char why[160];
	json_object *o;
	int rc = -1;

	if (len > DR_GATE_BODY_MAX)
		return GATE_REFUSE(d->reason, sizeof d->reason, "the create body is larger than %d bytes", DR_GATE_BODY_MAX);
	if (!(o = dr_gate_json_object(body, len, why, sizeof why)))
		return GATE_REFUSE(d->reason, sizeof d->reason, "the create body: %s", why);
	if (create_decode(cfg, o, &b, d->reason, sizeof d->reason))
		goto done;
	if (strlen(b.image) >= sizeof d->image || dr_container_body_write(&b, out)) {
		snprintf(d->reason, sizeof d->reason, "the create body does not fit once written");
		goto done;
	}
	memcpy(d->image, b.image, strlen(b.image) + 1);
	rc = 0;
done:
	json_object_put(o);
	return rc;
}

/* After the create: what the engine made. */

/* HostConfig fields that grant privilege when they hold anything: null, "", false, [] or {} only. */
static const char *const created_empty_fields[] = {
	"Privileged", "CapAdd", "Devices", "DeviceRequests", "DeviceCgroupRules", "PidMode", "UsernsMode", "UTSMode",
	"SecurityOpt", "VolumesFrom", "Mounts", "CgroupParent", "Links", "GroupAdd", "Tmpfs", "Sysctls", "PortBindings",
	"PublishAllPorts", "OomScoreAdj", "Ulimits", "Cgroup", "VolumeDriver", "Isolation",
};

/* Paths the engine masks or makes read-only by default (Docker 20.10's lists; newer engines add to
 * them): every one must still be there, or the container sees the host's /proc/sys writable, say. */
static const char *const created_masked_paths[] = {
	"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", NULL,
};
static const char *const created_readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* The IPC modes that share nothing with the host or another container. */
static const char *const created_ipc_modes[] = { "", "private", "shareable", "none" };

static int created_is_empty(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 1;
	case json_type_boolean:
		return !json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) == 0;
	case json_type_string:
		return json_object_get_string_len(v) == 0;
	case json_type_array:
		return json_object_array_length(v) == 0;
	case json_type_object:
		return json_object_object_length(v) == 0;
	default:
		return 0;
	}
}

static const char *created_string(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? dr_gate_json_string(v) : NULL;
}

/* Binds: exactly the two the gate checked. */
static int created_binds(const struct dr_gate_config *cfg, json_object *host, char *reason, size_t cap)
{
	json_object *binds;
	int seen[DR_CONTAINER_BINDS] = { 0 };
	size_t i;

	if (!json_object_object_get_ex(host, "Binds", &binds) || !json_object_is_type(binds, json_type_array) ||
	    json_object_array_length(binds) != DR_CONTAINER_BINDS)
		return GATE_REFUSE(reason, cap, "HostConfig.Binds");
	for (i = 0; i < DR_CONTAINER_BINDS; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(binds, i));
		int which = s && !strcmp(s, cfg->binds[0]) ? 0 : s && !strcmp(s, cfg->binds[1]) ? 1 : -1;
		if (which < 0 || seen[which]++)
			return GATE_REFUSE(reason, cap, "HostConfig.Binds");
	}
	return 0;
}

/* Whether bind ("HOST:DIR") is the mount source:destination. */
static int created_bind_is(const char *bind, const char *source, const char *destination)
{
	size_t n = strlen(source);

	return !strncmp(bind, source, n) && bind[n] == ':' && !strcmp(bind + n + 1, destination);
}

/* Mounts as the engine made them: the two binds, and volumes of the image's own (anonymous). */
static int created_mounts(const struct dr_gate_config *cfg, json_object *inspect, char *reason, size_t cap)
{
	json_object *mounts;
	size_t i;

	if (!json_object_object_get_ex(inspect, "Mounts", &mounts) || json_object_is_type(mounts, json_type_null))
		return 0;
	if (!json_object_is_type(mounts, json_type_array))
		return GATE_REFUSE(reason, cap, "Mounts");
	for (i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *type = created_string(m, "Type"), *src = created_string(m, "Source");
		const char *dst = created_string(m, "Destination"), *name = created_string(m, "Name"), *driver;
		if (type && !strcmp(type, "bind") && src && dst &&
		    (created_bind_is(cfg->binds[0], src, dst) || created_bind_is(cfg->binds[1], src, dst)))
			continue;
		if (type && !strcmp(type, "volume") && name && strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64 &&
		    (driver = created_string(m, "Driver")) && !strcmp(driver, "local"))
			continue;
		return GATE_REFUSE(reason, cap, "Mounts (a %s mount of %.64s)", type ? type : "?", src ? src : "?");
	}
	return 0;
}

/* Whether HostConfig's list field holds every path of want. */
static int created_paths_all(json_object *host, const char *field, const char *const *want)
{
	json_object *list;
	size_t i, n;

	if (!json_object_object_get_ex(host, field, &list) || !json_object_is_type(list, json_type_array))
		return 0;
	for (; *want; want++) {
		for (i = 0, n = json_object_array_length(list); i < n; i++)
			if (!strcmp(json_object_get_string(json_object_array_get_idx(list, i)), *want))
				break;
		if (i == n)
			return 0;
	}
	return 1;
}

/* Privilege in HostConfig: the fields that must be empty, the masked paths, the runtime, the IPC
 * mode, the network. */
static int created_host(const struct dr_gate_config *cfg, json_object *host, char *reason, size_t cap)
{
	const char *ipc = created_string(host, "IpcMode"), *net = created_string(host, "NetworkMode");
	const char *runtime = created_string(host, "Runtime");
	json_object *v;
	size_t i;
	int ipc_ok = !ipc;

	for (i = 0; i < sizeof created_empty_fields / sizeof created_empty_fields[0]; i++)
		if (json_object_object_get_ex(host, created_empty_fields[i], &v) && !created_is_empty(v))
			return GATE_REFUSE(reason, cap, "HostConfig.%s", created_empty_fields[i]);
	for (i = 0; ipc && i < sizeof created_ipc_modes / sizeof created_ipc_modes[0]; i++)
		ipc_ok |= !strcmp(ipc, created_ipc_modes[i]);
	if (!ipc_ok)
		return GATE_REFUSE(reason, cap, "HostConfig.IpcMode");
	if (!created_paths_all(host, "MaskedPaths", created_masked_paths))
		return GATE_REFUSE(reason, cap, "HostConfig.MaskedPaths");
	if (!created_paths_all(host, "ReadonlyPaths", created_readonly_paths))
		return GATE_REFUSE(reason, cap, "HostConfig.ReadonlyPaths");
	if (runtime && strcmp(runtime, "runc"))
		return GATE_REFUSE(reason, cap, "HostConfig.Runtime");
	if (cfg->network ? !net || strcmp(net, cfg->network) : net && strcmp(net, "default") && strcmp(net, "bridge"))
		return GATE_REFUSE(reason, cap, "HostConfig.NetworkMode");
	return created_binds(cfg, host, reason, cap);
}

/* Config.Image: the one checked, or any of the repository by digest. */
static int created_image(const struct dr_gate_config *cfg, const char *want, const char *image)
{
	return want ? image && !strcmp(image, want) : create_by_digest(cfg, image);
}

int dr_gate_check_created(const struct dr_gate_config *cfg, const char *image_checked, const char *inspect, size_t len,
			  char *reason, size_t cap)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = tok ? json_tokener_parse_ex(tok, inspect, (int)len) : NULL, *config, *host;
	const char *name, *image;
	int rc = -1;

	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(reason, cap, "the engine's inspect answer is not a JSON object");
		goto done;
	}
	name = created_string(o, "Name");
	if (!name || name[0] != '/' || strcmp(name + 1, cfg->container_name)) {
		snprintf(reason, cap, "the name");
		goto done;
	}
	if (!json_object_object_get_ex(o, "Config", &config) ||
	    !created_image(cfg, image_checked, image = created_string(config, "Image"))) {
		snprintf(reason, cap, "Config.Image");
		goto done;
	}
	if (!json_object_object_get_ex(o, "HostConfig", &host) || !json_object_is_type(host, json_type_object)) {
		snprintf(reason, cap, "HostConfig");
		goto done;
	}
	rc = created_host(cfg, host, reason, cap) || created_mounts(cfg, o, reason, cap) ? -1 : 0;
done:
	json_object_put(o);
	if (tok)
		json_tokener_free(tok);
	return rc;
}
