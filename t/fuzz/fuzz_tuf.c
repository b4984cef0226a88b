/* libFuzzer harness: TUF metadata as a repository hands it over (lib/tuf).
 * The first byte picks the role the rest is decoded as (dr_tuf_metadata_parse:
 * strict JSON, json-c, canonical JSON of "signed", the named limits); what
 * decodes is checked against the pinned public-good root's keys for that
 * role and, for a root, against its own (dr_tuf_signatures_count), and the
 * count may never pass the role's list of keyids. Then the whole client
 * workflow (dr_tuf_update_run) runs from the pinned root against a
 * repository that answers the input for every file: the root rotation, and
 * the steps after it when the input is no root. A refusal must leave one
 * NUL-terminated reason naming its step. Build: t/fuzz/run.sh
 * (FUZZ_TUF_ROOT names the pinned root). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metadata.h"
#include "signatures.h"
#include "update.h"

#define FUZZ_NOW 1800000000 /* 2027-01-15: the pinned root unexpired */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *pinned_text;
static size_t pinned_len;
static struct dr_tuf_metadata *pinned;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[DR_TUF_WHY_MAX];
	FILE *f = fopen(FUZZ_TUF_ROOT, "rb");
	long n;

	(void)argc;
	(void)argv;
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET))
		abort();
	pinned_text = malloc((size_t)n);
	if (!pinned_text || fread(pinned_text, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	pinned_len = (size_t)n;
	if (dr_tuf_metadata_parse(pinned_text, pinned_len, DR_TUF_ROOT, &pinned, why, sizeof why))
		abort();
	return 0;
}

struct fuzz_input {
	const char *text;
	size_t len;
};

/* Every file of the repository is the input. */
static int fuzz_fetch(void *ctx, const char *path, size_t max, struct dr_buf *out, char *why, size_t cap)
{
	const struct fuzz_input *in = ctx;

	(void)path;
	(void)max;
	if (dr_buf_add(out, in->text, in->len)) {
		snprintf(why, cap, "too long");
		return DR_TUF_FETCH_FAILED;
	}
	return DR_TUF_FETCH_OK;
}

static void fuzz_decode(enum dr_tuf_role role, const char *text, size_t len)
{
	struct dr_tuf_metadata *md = NULL;
	char why[DR_TUF_WHY_MAX] = "";

	if (dr_tuf_metadata_parse(text, len, role, &md, why, sizeof why)) {
		if (md || !why[0] || strnlen(why, sizeof why) == sizeof why)
			abort();
		return;
	}
	if (!md->canonical.data || md->version < 1 || md->meta_count > DR_TUF_META_MAX)
		abort();
	if (dr_tuf_signatures_count(pinned, role, md) > pinned->roles[role].count)
		abort();
	if (role == DR_TUF_ROOT && dr_tuf_signatures_count(md, DR_TUF_ROOT, md) > md->roles[DR_TUF_ROOT].count)
		abort();
	dr_tuf_metadata_free(md);
}

static void fuzz_update(const char *text, size_t len)
{
	struct fuzz_input in = { text, len };
	struct dr_tuf_update u;

	dr_tuf_update_init(&u, FUZZ_NOW, "trusted_root.json", fuzz_fetch, &in);
	if (dr_tuf_update_trust_root(&u, pinned_text, pinned_len))
		abort();
	if (dr_tuf_update_run(&u) && (!u.step || !u.why[0] || strnlen(u.why, sizeof u.why) == sizeof u.why))
		abort();
	dr_tuf_update_free(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_decode((enum dr_tuf_role)(data[0] % DR_TUF_ROLES), (const char *)data + 1, size - 1);
	fuzz_update((const char *)data + 1, size - 1);
	return 0;
}
