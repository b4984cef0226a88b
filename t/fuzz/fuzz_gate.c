/* libFuzzer harness: the Docker gate's request check, its create body
 * check, the response framing and the cut-down answers. The first byte
 * picks which (and the method). An allowed target, checked again, must be
 * allowed and rebuilt the same: the normalisation is done once, before
 * the check, and what is sent is what was checked. An allowed create body
 * is written anew; the gate's own output, checked again, must be allowed
 * and written to the same bytes (a fixed point), and name the same image. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunked.h"
#include "gate_check.h"
#include "gate_create.h"
#include "gate_json.h"
#include "gate_relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct dr_gate_config cfg = {
	.environment = "dev",
	.container_name = "dreichor-runtime-dev",
	.repository = "127.0.0.1:5000/dreichor/runtime",
	.binds = { "/a:/var/lib/dreichor/audit-events", "/b:/var/lib/dreichor/snapshots" },
	.network = "none",
};

static void fuzz_target(const char *method, const char *text)
{
	static struct dr_gate_decision d, again;
	struct dr_gate_request r = { method, text, 0, NULL, NULL };

	if (dr_gate_check(&cfg, &r, &d) != 0) {
		if (d.allowed || !d.reason[0])
			__builtin_trap(); /* every refusal says why */
		return;
	}
	if (strstr(d.target, "/../") || strstr(d.target, "//") || strstr(d.target, "/./"))
		__builtin_trap();
	r.target = d.target;
	if (dr_gate_check(&cfg, &r, &again) != 0 || strcmp(again.target, d.target))
		__builtin_trap();
}

/* A create body: refused with a reason, or written anew to a fixed point. */
static void fuzz_create_body(const char *body, size_t len)
{
	static struct dr_gate_decision d, again;
	struct dr_buf sent, resent;

	memset(&d, 0, sizeof d);
	dr_buf_init(&sent, DR_GATE_BODY_MAX + 1024);
	dr_buf_init(&resent, DR_GATE_BODY_MAX + 1024);
	if (dr_gate_check_create_body(&cfg, body, len, &d, &sent)) {
		if (!d.reason[0])
			__builtin_trap(); /* every refusal says why */
	} else if (dr_gate_check_create_body(&cfg, sent.data, sent.len, &again, &resent) || sent.len != resent.len ||
		   memcmp(sent.data, resent.data, sent.len) || strcmp(d.image, again.image)) {
		__builtin_trap();
	}
	dr_buf_free(&sent);
	dr_buf_free(&resent);
}

static int accept_any(const void *ctx, const char *s)
{
	(void)ctx;
	return s[0] != 'x';
}

/* Filters: refused with a reason, or written anew to a fixed point. */
static void fuzz_filters(const char *text)
{
	static const struct dr_gate_filter_rule rules[] = { { "container", 1, accept_any, NULL }, { "event", 0, accept_any, NULL } };
	static char out[DR_GATE_TARGET_MAX], again[DR_GATE_TARGET_MAX], why[DR_GATE_REASON_MAX];

	why[0] = '\0';
	if (dr_gate_filters_rewrite(text, rules, 2, out, sizeof out, why, sizeof why)) {
		if (!why[0])
			__builtin_trap();
	} else if (dr_gate_filters_rewrite(out, rules, 2, again, sizeof again, why, sizeof why) || strcmp(out, again)) {
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "DELETE", "HEAD" };
	char *text;
	struct dr_gate_response r;
	struct dr_chunked ch;
	size_t used;

	if (size < 1 || !(text = malloc(size)))
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 6) {
	case 0:
	case 1:
		fuzz_target(methods[(data[0] / 5) % 4], text);
		break;
	case 2:
		/* The raw bytes, not terminated: the body is read by its length only. */
		fuzz_create_body((const char *)data + 1, size - 1);
		break;
	case 3:
		dr_gate_response_parse(text, size - 1, &r);
		dr_chunked_init(&ch, NULL, 0);
		if (dr_chunked_feed(&ch, (const char *)data + 1, size - 1, &used) <= 1 && used > size - 1)
			__builtin_trap();
		break;
	case 4:
		fuzz_filters(text);
		break;
	default:
		free(dr_gate_answer_cut(&cfg, (enum dr_gate_answer)(data[0] / 5 % 3 + 1), text, strlen(text)));
	}
	free(text);
	return 0;
}
