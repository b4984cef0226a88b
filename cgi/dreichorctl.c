/* dreichorctl: the operator's and the workflow's client of the deploy
 * agent. One request per command, no retries. The service-token secret is
 * read from CF_ACCESS_CLIENT_SECRET or a file, never from argv.
 * Exit codes: 0 success, 1 refused by the agent, 2 usage, 3 transport,
 * 4 deployed but --wait-running found another image or none running. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "buf.h"
#include "error.h"

#define CTL_EXIT_OK 0
#define CTL_EXIT_REFUSED 1
#define CTL_EXIT_USAGE 2
#define CTL_EXIT_TRANSPORT 3
#define CTL_EXIT_NOT_RUNNING 4
#define CTL_RESPONSE_MAX (1024 * 1024)
#define CTL_SECRET_MAX 4096
#define CTL_DEFAULT_TIMEOUT 1800L

struct ctl {
	const char *url;
	const char *client_id;
	char secret[CTL_SECRET_MAX + 1];
	const char *environment;
	long timeout;
	int json;
	int wait_running;
	long http_status;
	struct dr_buf body;
	char curl_error[CURL_ERROR_SIZE];
};

static int ctl_usage(const char *why)
{
	if (why)
		fprintf(stderr, "dreichorctl: %s\n", why);
	fprintf(stderr,
		"usage: dreichorctl [options] deploy IMAGE [--environment ENV] [--wait-running]\n"
		"       dreichorctl [options] status\n"
		"       dreichorctl [options] stop\n"
		"options: --url URL (or DREICHOR_URL)  --client-id ID (or CF_ACCESS_CLIENT_ID)\n"
		"         --secret-file FILE (or CF_ACCESS_CLIENT_SECRET)  --json  --timeout SECONDS\n");
	return CTL_EXIT_USAGE;
}

static size_t ctl_collect(char *p, size_t size, size_t n, void *userdata)
{
	return dr_buf_add(userdata, p, size * n) ? 0 : size * n;
}

static int ctl_read_secret_file(struct ctl *c, const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(c->secret, 1, CTL_SECRET_MAX + 1, f);
	fclose(f);
	if (n > CTL_SECRET_MAX)
		return -1;
	while (n > 0 && (c->secret[n - 1] == '\n' || c->secret[n - 1] == '\r'))
		n--;
	c->secret[n] = '\0';
	return 0;
}

/* One request; 0 when an HTTP answer arrived (any status), else CTL_EXIT_TRANSPORT. */
static int ctl_request(struct ctl *c, const char *method, const char *path, const char *json)
{
	struct curl_slist *headers = NULL;
	struct dr_buf header;
	char url[2048];
	CURL *curl = curl_easy_init();
	CURLcode rc;

	if (!curl)
		return CTL_EXIT_TRANSPORT;
	snprintf(url, sizeof url, "%s%s", c->url, path);
	dr_buf_init(&header, CTL_SECRET_MAX + 64);
	dr_buf_reset(&c->body);
	dr_buf_addf(&header, "CF-Access-Client-Id: %s", c->client_id);
	headers = curl_slist_append(headers, dr_buf_str(&header));
	dr_buf_reset(&header);
	dr_buf_addf(&header, "CF-Access-Client-Secret: %s", c->secret);
	headers = curl_slist_append(headers, dr_buf_str(&header));
	explicit_bzero(header.data, header.len);
	dr_buf_free(&header);
	if (json) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
	} else if (!strcmp(method, "POST")) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &c->body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, c->timeout);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, c->curl_error);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &c->http_status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		fprintf(stderr, "dreichorctl: %s %s: %s\n", method, url, c->curl_error[0] ? c->curl_error : curl_easy_strerror(rc));
		return CTL_EXIT_TRANSPORT;
	}
	return 0;
}

static const char *json_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static void ctl_print_logs(FILE *out, json_object *answer)
{
	json_object *logs;
	size_t i;

	if (!json_object_object_get_ex(answer, "logs", &logs) || !json_object_is_type(logs, json_type_array) ||
	    json_object_array_length(logs) == 0)
		return;
	fprintf(out, "container output:\n");
	for (i = 0; i < json_object_array_length(logs); i++)
		fprintf(out, "  | %s\n", json_object_get_string(json_object_array_get_idx(logs, i)));
}

/* Print the answer; returns the exit code it stands for. */
static int ctl_report(struct ctl *c, const char *command, json_object **answer_out)
{
	json_object *answer = json_tokener_parse(dr_buf_str(&c->body));
	const char *reason;

	*answer_out = answer;
	if (c->json)
		printf("%s\n", dr_buf_str(&c->body));
	if (!answer || !json_object_is_type(answer, json_type_object)) {
		fprintf(stderr, "dreichorctl: %s: HTTP %ld with a body that is not JSON\n", command, c->http_status);
		return c->http_status == 200 ? CTL_EXIT_TRANSPORT : CTL_EXIT_REFUSED;
	}
	if (c->http_status != 200) {
		reason = json_str(answer, "reason");
		fprintf(stderr, "dreichorctl: %s refused: HTTP %ld: %s\n", command, c->http_status, reason ? reason : "(no reason)");
		if (!c->json)
			ctl_print_logs(stderr, answer);
		return CTL_EXIT_REFUSED;
	}
	return CTL_EXIT_OK;
}

static void ctl_print_status(json_object *a)
{
	json_object *running = NULL;
	int is_running = json_object_object_get_ex(a, "running", &running) && json_object_get_boolean(running);

	printf("%s (%s): %s\n", json_str(a, "container_name") ? json_str(a, "container_name") : "?",
	       json_str(a, "environment") ? json_str(a, "environment") : "?",
	       is_running ? "running" : (json_str(a, "state") ? json_str(a, "state") : "not running"));
	if (is_running)
		printf("  image      %s\n  digest     %s\n  started at %s\n", json_str(a, "image") ? json_str(a, "image") : "?",
		       json_str(a, "image_digest") ? json_str(a, "image_digest") : "?",
		       json_str(a, "started_at") ? json_str(a, "started_at") : "?");
}

/* --wait-running: status must show the requested image running. */
static int ctl_verify_running(struct ctl *c, const char *image)
{
	json_object *answer = NULL, *running;
	int rc = ctl_request(c, "GET", "/v1/status", NULL);

	if (rc)
		return rc;
	answer = json_tokener_parse(dr_buf_str(&c->body));
	if (c->http_status != 200 || !answer) {
		fprintf(stderr, "dreichorctl: verification: status answered HTTP %ld\n", c->http_status);
		rc = CTL_EXIT_NOT_RUNNING;
	} else if (!json_object_object_get_ex(answer, "running", &running) || !json_object_get_boolean(running) ||
		   !json_str(answer, "image") || strcmp(json_str(answer, "image"), image)) {
		fprintf(stderr, "dreichorctl: verification failed: %s is not the image running (status: %s)\n", image,
			dr_buf_str(&c->body));
		rc = CTL_EXIT_NOT_RUNNING;
	} else if (!c->json) {
		printf("verified: %s is running\n", image);
	}
	json_object_put(answer);
	return rc;
}

static int ctl_deploy(struct ctl *c, const char *image)
{
	json_object *req = json_object_new_object(), *answer = NULL;
	int rc;

	json_object_object_add(req, "image", json_object_new_string(image));
	if (c->environment)
		json_object_object_add(req, "environment", json_object_new_string(c->environment));
	rc = ctl_request(c, "POST", "/v1/deploy", json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
	json_object_put(req);
	if (rc == 0 && (rc = ctl_report(c, "deploy", &answer)) == 0) {
		if (!c->json) {
			printf("deployed %s to %s (%s)\n  digest    %s\n  container %s\n", image,
			       json_str(answer, "container_name"), json_str(answer, "environment"),
			       json_str(answer, "image_digest") ? json_str(answer, "image_digest") : "?",
			       json_str(answer, "container_id") ? json_str(answer, "container_id") : "?");
			ctl_print_logs(stdout, answer);
		}
		if (c->wait_running)
			rc = ctl_verify_running(c, image);
	}
	json_object_put(answer);
	return rc;
}

static int ctl_simple(struct ctl *c, const char *command)
{
	json_object *answer = NULL;
	int is_status = !strcmp(command, "status");
	int rc = ctl_request(c, is_status ? "GET" : "POST", is_status ? "/v1/status" : "/v1/stop", NULL);

	if (rc == 0 && (rc = ctl_report(c, command, &answer)) == 0 && !c->json) {
		if (is_status)
			ctl_print_status(answer);
		else
			printf("stopped %s\n", json_str(answer, "container_name") ? json_str(answer, "container_name") : "?");
	}
	json_object_put(answer);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "url", required_argument, NULL, 'u' },         { "client-id", required_argument, NULL, 'i' },
		{ "secret-file", required_argument, NULL, 'f' }, { "environment", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 't' },     { "json", no_argument, NULL, 'j' },
		{ "wait-running", no_argument, NULL, 'w' },      { "secret", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },              { NULL, 0, NULL, 0 },
	};
	static struct ctl c;
	const char *secret_file = NULL, *env_secret, *command;
	char *end;
	int opt, rc;

	c.url = getenv("DREICHOR_URL");
	c.client_id = getenv("CF_ACCESS_CLIENT_ID");
	c.timeout = CTL_DEFAULT_TIMEOUT;
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (opt) {
		case 'u': c.url = optarg; break;
		case 'i': c.client_id = optarg; break;
		case 'f': secret_file = optarg; break;
		case 'e': c.environment = optarg; break;
		case 'j': c.json = 1; break;
		case 'w': c.wait_running = 1; break;
		case 't':
			c.timeout = strtol(optarg, &end, 10);
			if (*end || c.timeout <= 0)
				return ctl_usage("--timeout takes a positive number of seconds");
			break;
		case 's':
			explicit_bzero(optarg, strlen(optarg));
			return ctl_usage("the secret is never accepted on the command line; use CF_ACCESS_CLIENT_SECRET or --secret-file");
		case 'h': ctl_usage(NULL); return CTL_EXIT_OK;
		default: return ctl_usage(NULL);
		}
	}
	if (optind >= argc)
		return ctl_usage("no command given");
	command = argv[optind++];
	if (!c.url || !c.url[0])
		return ctl_usage("no agent URL: set DREICHOR_URL or --url");
	if (!c.client_id || !c.client_id[0])
		return ctl_usage("no service-token id: set CF_ACCESS_CLIENT_ID or --client-id");
	env_secret = getenv("CF_ACCESS_CLIENT_SECRET");
	if (secret_file ? ctl_read_secret_file(&c, secret_file) : dr_strlcpy(c.secret, env_secret ? env_secret : "", sizeof c.secret))
		return ctl_usage("cannot read the service-token secret");
	if (!c.secret[0])
		return ctl_usage("no service-token secret: set CF_ACCESS_CLIENT_SECRET or --secret-file");
	/* Options may also follow the command (deploy IMAGE --wait-running). */
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		if (opt == 'w') c.wait_running = 1;
		else if (opt == 'j') c.json = 1;
		else if (opt == 'e') c.environment = optarg;
		else return ctl_usage("unexpected option after the command");
	}
	dr_buf_init(&c.body, CTL_RESPONSE_MAX);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!strcmp(command, "deploy")) {
		const char *image = optind < argc ? argv[optind++] : NULL;
		while (image && (opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
			if (opt == 'w') c.wait_running = 1;
			else if (opt == 'j') c.json = 1;
			else if (opt == 'e') c.environment = optarg;
			else { image = NULL; break; }
		}
		rc = image && optind == argc ? ctl_deploy(&c, image) : ctl_usage("deploy takes one IMAGE");
	} else if ((!strcmp(command, "status") || !strcmp(command, "stop")) && optind == argc) {
		rc = ctl_simple(&c, command);
	} else {
		rc = ctl_usage("unknown command or extra arguments");
	}
	explicit_bzero(c.secret, sizeof c.secret);
	dr_buf_free(&c.body);
	curl_global_cleanup();
	return rc;
}
