/* dsse.c: DSSE's pre-authentication encoding and the in-toto statement's subjects (see
 * dsse.h). */
#include "dsse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "number.h"

int dr_ss_dsse_pae(const struct dr_ss_bundle *b, struct dr_ss_bytes *out, char *why, size_t why_cap)
{
	size_t type_len = strlen(b->dsse_payload_type), cap, n;
	char head[sizeof b->dsse_payload_type + 64];
	int h;

	out->data = NULL;
	out->len = 0;
	h = snprintf(head, sizeof head, "DSSEv1 %zu %s %zu ", type_len, b->dsse_payload_type, b->dsse_payload.len);
	if (h < 0 || (size_t)h >= sizeof head) {
		snprintf(why, why_cap, "DSSE: payload type too long");
		return -1;
	}
	n = (size_t)h;
	cap = n + b->dsse_payload.len;
	out->data = malloc(cap ? cap : 1);
	if (!out->data) {
		snprintf(why, why_cap, "DSSE: out of memory");
		return -1;
	}
	memcpy(out->data, head, n);
	if (b->dsse_payload.len)
		memcpy(out->data + n, b->dsse_payload.data, b->dsse_payload.len);
	out->len = cap;
	return 0;
}

/* 1 when hex (any case) is the 32 bytes of want. */
static int hex_is(const char *hex, size_t len, const unsigned char want[32])
{
	if (len != 64)
		return 0;
	for (size_t i = 0; i < 32; i++) {
		int hi = dr_hex_digit(hex[2 * i]), lo = dr_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0 || (unsigned)(hi << 4 | lo) != want[i])
			return 0;
	}
	return 1;
}

int dr_ss_dsse_subject_matches(const struct dr_ss_bundle *b, const struct dr_ss_artifact *a, char *why,
			       size_t why_cap)
{
	char problem[DR_SS_REASON_MAX], type[128];
	json_object *doc, *subjects;
	size_t n;
	int rc = -1;

	if (strcmp(b->dsse_payload_type, DR_SS_DSSE_PAYLOAD_TYPE_INTOTO)) {
		snprintf(why, why_cap, "DSSE: payload type is not %s", DR_SS_DSSE_PAYLOAD_TYPE_INTOTO);
		return -1;
	}
	if (!b->dsse_payload.len ||
	    dr_ss_json_parse((const char *)b->dsse_payload.data, b->dsse_payload.len, &doc, problem, sizeof problem)) {
		snprintf(why, why_cap, "DSSE: the in-toto statement is %s", b->dsse_payload.len ? problem : "empty");
		return -1;
	}
	if (dr_ss_json_string(doc, "_type", type, sizeof type) ||
	    (strcmp(type, "https://in-toto.io/Statement/v1") && strcmp(type, "https://in-toto.io/Statement/v0.1"))) {
		snprintf(why, why_cap, "DSSE: the payload is not an in-toto statement");
		goto out;
	}
	subjects = dr_ss_json_member(doc, "subject", json_type_array);
	n = subjects ? json_object_array_length(subjects) : 0;
	if (!n || n > DR_SS_INTOTO_SUBJECTS_MAX) {
		snprintf(why, why_cap, "DSSE: the in-toto statement has %s subjects", n ? "too many" : "no");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *digest =
			dr_ss_json_member(json_object_array_get_idx(subjects, i), "digest", json_type_object);
		json_object *sha = dr_ss_json_member(digest, "sha256", json_type_string);

		if (sha && hex_is(json_object_get_string(sha), (size_t)json_object_get_string_len(sha), a->sha256)) {
			rc = 0;
			goto out;
		}
	}
	snprintf(why, why_cap, "DSSE: no subject of the in-toto statement has the artifact's sha256 digest");
out:
	json_object_put(doc);
	return rc;
}
