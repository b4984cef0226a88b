/* signatures.c: TUF's threshold check; see signatures.h. */

#include <stdio.h>
#include <string.h>

#include "pubkey.h"
#include "signatures.h"

#define SIG_WHY_MAX 128

static const struct dr_tuf_key *sig_key(const struct dr_tuf_metadata *root, const char *keyid)
{
	size_t i;

	for (i = 0; i < root->key_count; i++)
		if (!strcmp(root->keys[i].keyid, keyid))
			return &root->keys[i];
	return NULL;
}

/* 1 when one of md's signatures under keyid verifies with k. */
static int sig_verifies(const struct dr_tuf_key *k, const struct dr_tuf_metadata *md)
{
	const char *details = k->type == DR_TUF_KEY_ED25519 ? "PKIX_ED25519" : "PKIX_ECDSA_P256_SHA_256";
	char why[SIG_WHY_MAX];
	size_t i;

	for (i = 0; i < md->signature_count; i++) {
		const struct dr_tuf_signature *s = &md->signatures[i];
		if (s->sig_len && !strcmp(s->keyid, k->keyid) &&
		    !dr_ss_pubkey_verify(k->spki, k->spki_len, details, (const unsigned char *)md->canonical.data,
					 md->canonical.len, s->sig, s->sig_len, why, sizeof why))
			return 1;
	}
	return 0;
}

/* 1 when k, by keyid or by its public bytes, is among the n keys counted already. */
static int sig_counted(const struct dr_tuf_key *const counted[], size_t n, const struct dr_tuf_key *k)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (!strcmp(counted[j]->keyid, k->keyid) ||
		    (counted[j]->spki_len == k->spki_len && !memcmp(counted[j]->spki, k->spki, k->spki_len)))
			return 1;
	return 0;
}

size_t dr_tuf_signatures_count(const struct dr_tuf_metadata *root, enum dr_tuf_role role,
			       const struct dr_tuf_metadata *md)
{
	const struct dr_tuf_key *counted[DR_TUF_KEYIDS_MAX];
	const struct dr_tuf_role_keys *r;
	size_t i, count = 0;

	if (!root || !md || role >= DR_TUF_ROLES || root->role != DR_TUF_ROOT || !md->canonical.data)
		return 0;
	r = &root->roles[role];
	for (i = 0; i < r->count && count < DR_TUF_KEYIDS_MAX; i++) {
		const struct dr_tuf_key *k = sig_key(root, r->keyids[i]);
		if (k && k->type != DR_TUF_KEY_UNUSABLE && !sig_counted(counted, count, k) && sig_verifies(k, md))
			counted[count++] = k;
	}
	return count;
}

int dr_tuf_signatures_check(const struct dr_tuf_metadata *root, enum dr_tuf_role role,
			    const struct dr_tuf_metadata *md, char *why, size_t why_cap)
{
	size_t count = dr_tuf_signatures_count(root, role, md);
	long long threshold = root && role < DR_TUF_ROLES ? root->roles[role].threshold : 1;

	if (threshold >= 1 && (long long)count >= threshold)
		return 0;
	snprintf(why, why_cap, "%zu valid signature%s of the %lld the %s role needs (root v%lld)", count,
		 count == 1 ? "" : "s", threshold, dr_tuf_role_name(role), root ? root->version : 0);
	return -1;
}
