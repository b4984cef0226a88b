/* signer_json.c: the keyless signer between dreichor-registry's answer and the deploy's. */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "mask.h"
#include "reply.h"
#include "signer_json.h"

#define SIGNER_TIME_MAX 253402300799LL /* 9999-12-31T23:59:59Z */

/* The string member name of answer, cleaned and cut to cap - 1 bytes, into out ("" when absent). */
static void signer_text(json_object *answer, const char *name, char *out, size_t cap)
{
	json_object *v;
	struct dr_buf b;

	out[0] = '\0';
	if (!json_object_object_get_ex(answer, name, &v) || !json_object_is_type(v, json_type_string))
		return;
	dr_buf_init(&b, cap);
	if (!dr_text_clean(NULL, json_object_get_string(v), (size_t)json_object_get_string_len(v), cap - 1, 0, &b) &&
	    b.data)
		dr_strlcpy(out, dr_buf_str(&b), cap);
	dr_buf_free(&b);
}

/* The integer member name of answer in [0, max], or -1. */
static long long signer_number(json_object *answer, const char *name, long long max)
{
	json_object *v;
	long long n;

	if (!json_object_object_get_ex(answer, name, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	n = (long long)json_object_get_int64(v);
	return n >= 0 && n <= max ? n : -1;
}

int dr_signer_from_answer(json_object *answer, struct dr_signer *s)
{
	long long at;
	time_t t;
	struct tm tm;

	memset(s, 0, sizeof *s);
	signer_text(answer, "identity", s->identity, sizeof s->identity);
	if (!s->identity[0])
		return -1;
	signer_text(answer, "issuer", s->issuer, sizeof s->issuer);
	signer_text(answer, "source_repository", s->source_repository, sizeof s->source_repository);
	signer_text(answer, "source_commit", s->source_commit, sizeof s->source_commit);
	signer_text(answer, "run_url", s->run_url, sizeof s->run_url);
	signer_text(answer, "time_source", s->time_source, sizeof s->time_source);
	s->log_index = signer_number(answer, "log_index", INT64_MAX);
	if ((at = signer_number(answer, "verified_time", SIGNER_TIME_MAX)) > 0) {
		t = (time_t)at;
		if (gmtime_r(&t, &tm))
			strftime(s->verified_at, sizeof s->verified_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (!strcmp(s->time_source, "tlog") && s->log_index >= 0)
		snprintf(s->proof, sizeof s->proof, "log index %lld at %s", s->log_index, s->verified_at);
	else
		snprintf(s->proof, sizeof s->proof, "%s at %s", s->time_source[0] ? s->time_source : "time",
			 s->verified_at);
	return 0;
}

void dr_signer_add(json_object *o, const struct dr_signer *s)
{
	dr_reply_add_string(o, "identity", s->identity);
	dr_reply_add_string(o, "issuer", s->issuer);
	dr_reply_add_string(o, "source_repository", s->source_repository);
	dr_reply_add_string(o, "source_commit", s->source_commit);
	dr_reply_add_string(o, "run_url", s->run_url);
	if (s->log_index >= 0)
		json_object_object_add(o, "log_index", json_object_new_int64(s->log_index));
	dr_reply_add_string(o, "time_source", s->time_source);
	dr_reply_add_string(o, "verified_at", s->verified_at);
}
