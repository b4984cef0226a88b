/* keyless.c: which keyless signature counts: the identities and issuer configured, compared
 * exactly, after the Sigstore verifier proved the certificate, the time and the signature. */

#include <stdio.h>
#include <string.h>

#include "cert.h"
#include "keyless.h"
#include "reason.h"
#include "verify.h"

int dr_keyless_policy_init(struct dr_keyless_policy *p, const char *identities, const char *issuer,
			   const struct dr_ss_trusted_root *root, char *why, size_t why_cap)
{
	char *save = NULL, *one;

	memset(p, 0, sizeof *p);
	p->issuer = issuer && issuer[0] ? issuer : DR_SIGNATURE_ISSUER_DEFAULT;
	p->root = root;
	if (!identities || dr_strlcpy(p->text, identities, sizeof p->text))
		return dr_ss_fail(why, why_cap, "IMAGE_SIGNATURE_IDENTITY is %s", identities ? "too long" : "not set");
	for (one = strtok_r(p->text, " ", &save); one; one = strtok_r(NULL, " ", &save)) {
		if (p->identity_count == DR_SIGNATURE_IDENTITIES_MAX)
			return dr_ss_fail(why, why_cap, "IMAGE_SIGNATURE_IDENTITY names more than %d identities",
					    DR_SIGNATURE_IDENTITIES_MAX);
		if (strlen(one) > DR_SIGNATURE_IDENTITY_MAX)
			return dr_ss_fail(why, why_cap, "an identity of IMAGE_SIGNATURE_IDENTITY is longer than %d bytes",
					    DR_SIGNATURE_IDENTITY_MAX);
		p->identities[p->identity_count++] = one;
	}
	if (!p->identity_count)
		return dr_ss_fail(why, why_cap, "IMAGE_SIGNATURE_IDENTITY names no identity");
	return 0;
}

int dr_keyless_decide(const struct dr_ss_signer *s, const struct dr_keyless_policy *p, char *why, size_t why_cap)
{
	size_t i;

	for (i = 0; i < p->identity_count; i++)
		if (!strcmp(s->identity, p->identities[i]))
			break;
	if (i == p->identity_count)
		return dr_ss_fail(why, why_cap, "signed by another identity: %.300s is not one of IMAGE_SIGNATURE_IDENTITY",
				    s->identity[0] ? s->identity : "(none)");
	if (strcmp(s->issuer, p->issuer))
		return dr_ss_fail(why, why_cap, "signed for another OIDC issuer: %.200s, not IMAGE_SIGNATURE_ISSUER %.200s",
				    s->issuer[0] ? s->issuer : "(none)", p->issuer);
	return 0;
}

int dr_keyless_verify(const struct dr_ss_bundle *b, const struct dr_keyless_policy *p,
		      const struct dr_ss_artifact *a, struct dr_ss_signer *out, char *why, size_t why_cap)
{
	struct dr_ss_policy policy = { 0 };
	struct dr_ss_signer named;
	char reason[DR_SS_REASON_MAX * 2];

	memset(out, 0, sizeof *out);
	if (!b->cert_count)
		return dr_ss_fail(why, why_cap, "no signing certificate");
	/* The certificate's own names run the verifier, so that its every other check decides first;
	 * which names count is decided after, exactly, by dr_keyless_decide. */
	if (dr_ss_cert_signer(&b->certs[0], &named, reason, sizeof reason))
		return dr_ss_fail(why, why_cap, "certificate: %s", reason);
	policy.identity = named.identity;
	policy.issuer = named.issuer;
	if (dr_ss_verify(b, p->root, a, &policy, out, reason, sizeof reason))
		return dr_ss_fail(why, why_cap, "%s", reason);
	return dr_keyless_decide(out, p, why, why_cap);
}
