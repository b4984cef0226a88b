/* trusted_root.c: Sigstore's trusted_root.json into struct dr_ss_trusted_root (see
 * trusted_root.h). A root that names an authority without the start of its validity, a key or
 * certificate that is not base64, or more of anything than the limits allow, is refused whole. */
#include "trusted_root.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "decode.h"

#define ROOT_MEDIA_TYPE "application/vnd.dev.sigstore.trustedroot+json;version="
#define ROOT_CERT_MAX (64u << 10) /* bytes of one certificate DER */
#define ROOT_KEY_MAX (16u << 10)  /* bytes of one SubjectPublicKeyInfo DER */

/* validFor {start, end?} of obj into w; start is required (an open start is a malformed root). */
static int root_window(json_object *obj, struct dr_ss_window *w, const char *what, char *why, size_t why_cap)
{
	json_object *v = dr_ss_json_member(obj, "validFor", json_type_object), *end = NULL;
	char text[64];

	memset(w, 0, sizeof *w);
	if (!v || dr_ss_json_string(v, "start", text, sizeof text) || dr_time_parse_rfc3339(text, 1, &w->start)) {
		snprintf(why, why_cap, "trusted root: %s has no valid validFor.start", what);
		return -1;
	}
	w->has_start = 1;
	/* An end absent or null (json-c's null is a NULL object) leaves the window open. */
	if (json_object_object_get_ex(v, "end", &end) && end) {
		if (dr_ss_json_string(v, "end", text, sizeof text) || dr_time_parse_rfc3339(text, 0, &w->end)) {
			snprintf(why, why_cap, "trusted root: %s has an unreadable validFor.end", what);
			return -1;
		}
		w->has_end = 1;
	}
	return 0;
}

/* One entry of tlogs or ctlogs. */
static int root_log(json_object *obj, struct dr_ss_log *log, const char *what, char *why, size_t why_cap)
{
	json_object *key = dr_ss_json_member(obj, "publicKey", json_type_object);
	json_object *id = dr_ss_json_member(obj, "logId", json_type_object);

	if (dr_ss_json_present(obj, "baseUrl") &&
	    dr_ss_json_string(obj, "baseUrl", log->base_url, sizeof log->base_url)) {
		snprintf(why, why_cap, "trusted root: a %s baseUrl is not a string of at most %zu bytes", what,
			 sizeof log->base_url - 1);
		return -1;
	}
	if (!id || dr_ss_json_bytes_fixed(id, "keyId", log->log_id, sizeof log->log_id, &log->log_id_len) ||
	    !log->log_id_len) {
		snprintf(why, why_cap, "trusted root: a %s has no readable logId.keyId", what);
		return -1;
	}
	if (!key || dr_ss_json_bytes(key, "rawBytes", ROOT_KEY_MAX, &log->public_key) || !log->public_key.len) {
		snprintf(why, why_cap, "trusted root: the %s %s has no readable publicKey.rawBytes", what, log->base_url);
		return -1;
	}
	if (dr_ss_json_present(key, "keyDetails") &&
	    dr_ss_json_string(key, "keyDetails", log->key_details, sizeof log->key_details)) {
		snprintf(why, why_cap, "trusted root: the %s %s has an unreadable keyDetails", what, log->base_url);
		return -1;
	}
	return root_window(key, &log->valid_for, what, why, why_cap);
}

/* One entry of certificateAuthorities or timestampAuthorities. */
static int root_authority(json_object *obj, struct dr_ss_authority *a, const char *what, char *why, size_t why_cap)
{
	json_object *chain = dr_ss_json_member(obj, "certChain", json_type_object);
	json_object *certs = dr_ss_json_member(chain, "certificates", json_type_array);
	size_t n, i;

	if (dr_ss_json_present(obj, "uri") && dr_ss_json_string(obj, "uri", a->uri, sizeof a->uri)) {
		snprintf(why, why_cap, "trusted root: a %s uri is not a string of at most %zu bytes", what,
			 sizeof a->uri - 1);
		return -1;
	}
	n = certs ? json_object_array_length(certs) : 0;
	if (!n || n > DR_SS_CHAIN_MAX) {
		snprintf(why, why_cap, "trusted root: the %s %s has %s certificates", what, a->uri,
			 n ? "too many" : "no");
		return -1;
	}
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(certs, i);

		if (!json_object_is_type(c, json_type_object) ||
		    dr_ss_json_bytes(c, "rawBytes", ROOT_CERT_MAX, &a->certs[i]) || !a->certs[i].len) {
			snprintf(why, why_cap, "trusted root: certificate %zu of the %s %s is not readable", i, what,
				 a->uri);
			return -1;
		}
		a->cert_count = i + 1;
	}
	return root_window(obj, &a->valid_for, what, why, why_cap);
}

int dr_ss_trusted_root_parse(const char *text, size_t len, struct dr_ss_trusted_root *out, char *why, size_t why_cap)
{
	char media[128], problem[DR_SS_REASON_MAX];
	json_object *doc;
	json_object *list;
	size_t n, i;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (dr_ss_json_parse(text, len, &doc, problem, sizeof problem)) {
		snprintf(why, why_cap, "trusted root: %s", problem);
		return -1;
	}
	if (dr_ss_json_string(doc, "mediaType", media, sizeof media) ||
	    (strcmp(media, ROOT_MEDIA_TYPE "0.1") && strcmp(media, ROOT_MEDIA_TYPE "0.2"))) {
		snprintf(why, why_cap, "trusted root: unknown mediaType");
		goto out;
	}
	/* Each list: absent or an array; an array of anything else is refused. */
	list = dr_ss_json_member(doc, "tlogs", json_type_array);
	n = list ? json_object_array_length(list) : 0;
	if (n > DR_SS_AUTHORITIES_MAX)
		goto too_many;
	for (i = 0; i < n; i++, out->tlog_count++)
		if (root_log(json_object_array_get_idx(list, i), &out->tlogs[i], "transparency log", why, why_cap))
			goto out;
	list = dr_ss_json_member(doc, "ctlogs", json_type_array);
	n = list ? json_object_array_length(list) : 0;
	if (n > DR_SS_AUTHORITIES_MAX)
		goto too_many;
	for (i = 0; i < n; i++, out->ctlog_count++)
		if (root_log(json_object_array_get_idx(list, i), &out->ctlogs[i], "CT log", why, why_cap))
			goto out;
	list = dr_ss_json_member(doc, "certificateAuthorities", json_type_array);
	n = list ? json_object_array_length(list) : 0;
	if (n > DR_SS_AUTHORITIES_MAX)
		goto too_many;
	for (i = 0; i < n; i++, out->ca_count++)
		if (root_authority(json_object_array_get_idx(list, i), &out->cas[i], "certificate authority", why,
				   why_cap))
			goto out;
	list = dr_ss_json_member(doc, "timestampAuthorities", json_type_array);
	n = list ? json_object_array_length(list) : 0;
	if (n > DR_SS_AUTHORITIES_MAX)
		goto too_many;
	for (i = 0; i < n; i++, out->tsa_count++)
		if (root_authority(json_object_array_get_idx(list, i), &out->tsas[i], "timestamp authority", why,
				   why_cap))
			goto out;
	rc = 0;
	goto out;
too_many:
	snprintf(why, why_cap, "trusted root: more than %d authorities of one kind", DR_SS_AUTHORITIES_MAX);
out:
	json_object_put(doc);
	if (rc)
		dr_ss_trusted_root_free(out);
	return rc;
}

int dr_ss_trusted_root_load(const char *path, struct dr_ss_trusted_root *out, char *why, size_t why_cap)
{
	char *text;
	size_t len;
	int rc;

	memset(out, 0, sizeof *out);
	if (dr_ss_read_file(path, DR_SS_ROOT_MAX, &text, &len, why, why_cap))
		return -1;
	rc = dr_ss_trusted_root_parse(text, len, out, why, why_cap);
	free(text);
	return rc;
}

/* Free one list of logs. */
static void root_logs_free(struct dr_ss_log *logs, size_t n)
{
	for (size_t i = 0; i < n && i < DR_SS_AUTHORITIES_MAX; i++)
		dr_ss_bytes_free(&logs[i].public_key);
}

/* Free one list of authorities. */
static void root_authorities_free(struct dr_ss_authority *a, size_t n)
{
	for (size_t i = 0; i < n && i < DR_SS_AUTHORITIES_MAX; i++)
		for (size_t j = 0; j < DR_SS_CHAIN_MAX; j++)
			dr_ss_bytes_free(&a[i].certs[j]);
}

void dr_ss_trusted_root_free(struct dr_ss_trusted_root *r)
{
	if (!r)
		return;
	/* Partial entries (one past a count) hold bytes too: free the whole arrays. */
	root_logs_free(r->tlogs, DR_SS_AUTHORITIES_MAX);
	root_logs_free(r->ctlogs, DR_SS_AUTHORITIES_MAX);
	root_authorities_free(r->cas, DR_SS_AUTHORITIES_MAX);
	root_authorities_free(r->tsas, DR_SS_AUTHORITIES_MAX);
	memset(r, 0, sizeof *r);
}
