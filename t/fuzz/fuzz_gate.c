/* libFuzzer harness: the Docker gate's request check, its create body
 * check, the response framing and the cut-down answers. The first byte
 * picks which (and the method). An allowed target, checked again, must be
 * allowed and rebuilt the same: the normalisation is done once, before
 * the check, and what is sent is what was checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunked.h"
#include "gate_check.h"
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

	if (dr_gate_check(&cfg, method, text, &d) != 0) {
		if (d.allowed || !d.reason[0])
			__builtin_trap(); /* every refusal says why */
		return;
	}
	if (strstr(d.target, "/../") || strstr(d.target, "//") || strstr(d.target, "/./"))
		__builtin_trap();
	if (dr_gate_check(&cfg, method, d.target, &again) != 0 || strcmp(again.target, d.target))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "DELETE", "HEAD" };
	char *text, reason[DR_GATE_REASON_MAX];
	struct dr_gate_response r;
	struct dr_chunked ch;
	size_t used;

	if (size < 1 || !(text = malloc(size)))
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0:
	case 1:
		fuzz_target(methods[(data[0] / 5) % 4], text);
		break;
	case 2:
		/* The raw bytes, not terminated: the body is read by its length only. */
		if (dr_gate_check_create_body(&cfg, (const char *)data + 1, size - 1, reason, sizeof reason) && !reason[0])
			__builtin_trap();
		break;
	case 3:
		dr_gate_response_parse(text, size - 1, &r);
		dr_chunked_init(&ch, NULL, 0);
		if (dr_chunked_feed(&ch, (const char *)data + 1, size - 1, &used) <= 1 && used > size - 1)
			__builtin_trap();
		break;
	default:
		free(dr_gate_answer_cut(&cfg, (enum dr_gate_answer)(data[0] / 5 % 3 + 1), text, strlen(text)));
	}
	free(text);
	return 0;
}
