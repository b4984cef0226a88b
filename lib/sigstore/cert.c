/* cert.c: the signing certificate's path to a trusted CA, checked at the
 * time the caller proves (GnuTLS's trust list with its own clock turned off,
 * windows checked here), the signer's identity, and the byte ranges of a
 * certificate libtasn1 cuts out (cert.asn). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

#include "cert.h"
#include "cert_asn1_tab.h"
#include "reason.h"

/* Fulcio's certificate extensions (fulcio docs/oid-info.md). */
#define CERT_OID_ISSUER_V1 "1.3.6.1.4.1.57264.1.1"  /* raw string, deprecated */
#define CERT_OID_ISSUER_V2 "1.3.6.1.4.1.57264.1.8"  /* DER UTF8String */
#define CERT_OID_SOURCE_REPO "1.3.6.1.4.1.57264.1.12"
#define CERT_OID_SOURCE_DIGEST "1.3.6.1.4.1.57264.1.13"
#define CERT_OID_RUN_URL "1.3.6.1.4.1.57264.1.21"

/* Candidate certificates one path may be built from. */
#define CERT_CANDIDATES_MAX (2 * DR_SS_CHAIN_MAX)

/* Import one DER certificate into *crt (the caller deinits it); 0 or -1. */
static int cert_import(const struct dr_ss_bytes *der, gnutls_x509_crt_t *crt, const char *what, char *why,
		       size_t why_cap)
{
	gnutls_datum_t d;

	*crt = NULL;
	if (!der || !der->data || der->len == 0 || der->len > DR_SS_CERT_MAX)
		return dr_ss_fail(why, why_cap, "%s is empty or longer than %u bytes", what, DR_SS_CERT_MAX);
	if (gnutls_x509_crt_init(crt) < 0)
		return dr_ss_fail(why, why_cap, "out of memory for a certificate");
	d.data = der->data;
	d.size = (unsigned)der->len;
	if (gnutls_x509_crt_import(*crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(*crt);
		*crt = NULL;
		return dr_ss_fail(why, why_cap, "%s is not a DER X.509 certificate", what);
	}
	return 0;
}

/* 1 when at lies in crt's window, bounds inclusive (RFC 5280 4.1.2.5); a notAfter of
 * 99991231235959Z, which GnuTLS reads as (time_t)-1, is no end. */
static int cert_crt_valid_at(gnutls_x509_crt_t crt, time_t at)
{
	time_t not_before = gnutls_x509_crt_get_activation_time(crt);
	time_t not_after = gnutls_x509_crt_get_expiration_time(crt);

	if (not_before == (time_t)-1 || at < not_before)
		return 0;
	return not_after == (time_t)-1 || at <= not_after;
}

int dr_ss_cert_valid_at(const struct dr_ss_bytes *cert, time_t at)
{
	gnutls_x509_crt_t crt;
	int ok;

	if (cert_import(cert, &crt, "certificate", NULL, 0) < 0)
		return 0;
	ok = cert_crt_valid_at(crt, at);
	gnutls_x509_crt_deinit(crt);
	return ok;
}

/* at as 2026-01-31T12:00:00Z into out. */
static const char *cert_time_text(time_t at, char out[32])
{
	struct tm tm;

	if (!gmtime_r(&at, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "%lld", (long long)at);
	return out;
}

/* A CA's name for reasons: its URI, or its position. */
static const char *cert_ca_name(const struct dr_ss_authority *ca)
{
	return ca->uri[0] ? ca->uri : "an authority of the trusted root";
}

int dr_ss_cert_path_verify(const struct dr_ss_bytes *leaf, const struct dr_ss_bytes *extra, size_t extra_count,
			   const struct dr_ss_authority *ca, time_t at, const char *purpose_oid, char *why,
			   size_t why_cap)
{
	gnutls_x509_crt_t leaf_crt = NULL, anchor = NULL, trusted = NULL;
	gnutls_x509_crt_t cand[CERT_CANDIDATES_MAX];
	gnutls_x509_crt_t chain[DR_SS_CHAIN_MAX];
	int used[CERT_CANDIDATES_MAX] = { 0 };
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_typed_vdata_st vdata;
	size_t ncand = 0, nchain = 0, i;
	unsigned status = 0;
	char when[32];
	int rc = -1, ret;

	if (!ca || ca->cert_count == 0 || ca->cert_count > DR_SS_CHAIN_MAX)
		return dr_ss_fail(why, why_cap, "authority has no certificates");
	if (extra_count > DR_SS_CHAIN_MAX)
		return dr_ss_fail(why, why_cap, "more than %d candidate intermediate certificates", DR_SS_CHAIN_MAX);
	if (cert_import(leaf, &leaf_crt, "certificate", why, why_cap) < 0)
		return -1;
	if (cert_import(&ca->certs[ca->cert_count - 1], &anchor, "trusted root certificate", why, why_cap) < 0)
		goto done;
	for (i = 0; i + 1 < ca->cert_count; i++, ncand++)
		if (cert_import(&ca->certs[i], &cand[ncand], "trusted intermediate certificate", why, why_cap) < 0)
			goto done;
	for (i = 0; i < extra_count; i++, ncand++)
		if (cert_import(&extra[i], &cand[ncand], "embedded certificate", why, why_cap) < 0)
			goto done;

	/* The path, leaf first, up to the certificate the anchor issued. */
	chain[nchain++] = leaf_crt;
	while (!gnutls_x509_crt_check_issuer(chain[nchain - 1], anchor)) {
		size_t next = ncand;

		for (i = 0; i < ncand && next == ncand; i++)
			if (!used[i] && !gnutls_x509_crt_equals(cand[i], chain[nchain - 1]) &&
			    gnutls_x509_crt_check_issuer(chain[nchain - 1], cand[i]))
				next = i;
		if (next == ncand) {
			dr_ss_fail(why, why_cap, "certificate does not chain to %s", cert_ca_name(ca));
			goto done;
		}
		if (nchain == DR_SS_CHAIN_MAX) {
			dr_ss_fail(why, why_cap, "certificate path longer than %d", DR_SS_CHAIN_MAX);
			goto done;
		}
		used[next] = 1;
		chain[nchain++] = cand[next];
	}

	/* Signatures, constraints and purposes by GnuTLS, its clock off: the windows follow. */
	if (gnutls_x509_trust_list_init(&tl, 0) < 0) {
		tl = NULL;
		dr_ss_fail(why, why_cap, "out of memory for a trust list");
		goto done;
	}
	if (cert_import(&ca->certs[ca->cert_count - 1], &trusted, "trusted root certificate", why, why_cap) < 0)
		goto done;
	if (gnutls_x509_trust_list_add_cas(tl, &trusted, 1, 0) != 1) {
		gnutls_x509_crt_deinit(trusted);
		dr_ss_fail(why, why_cap, "cannot trust the root certificate of %s", cert_ca_name(ca));
		goto done;
	}
	memset(&vdata, 0, sizeof vdata);
	vdata.type = GNUTLS_DT_KEY_PURPOSE_OID;
	vdata.data = (unsigned char *)purpose_oid;
	ret = gnutls_x509_trust_list_verify_crt2(tl, chain, (unsigned)nchain, &vdata, purpose_oid ? 1 : 0,
						 GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
							 GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
							 GNUTLS_VERIFY_DO_NOT_ALLOW_UNSORTED_CHAIN,
						 &status, NULL);
	if (ret < 0 || status != 0) {
		gnutls_datum_t out = { NULL, 0 };

		if (ret >= 0 && gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) == 0) {
			dr_ss_fail(why, why_cap, "certificate path to %s refused: %.*s", cert_ca_name(ca),
				  (int)(out.size > 160 ? 160 : out.size), (const char *)out.data);
			gnutls_free(out.data);
		} else {
			dr_ss_fail(why, why_cap, "certificate path to %s refused", cert_ca_name(ca));
		}
		goto done;
	}
	for (i = 0; i < nchain; i++)
		if (!cert_crt_valid_at(chain[i], at)) {
			dr_ss_fail(why, why_cap, "%s certificate on the path to %s is not valid at %s",
				  i == 0 ? "the leaf" : "an intermediate", cert_ca_name(ca), cert_time_text(at, when));
			goto done;
		}
	if (!cert_crt_valid_at(anchor, at)) {
		dr_ss_fail(why, why_cap, "root certificate of %s is not valid at %s", cert_ca_name(ca),
			  cert_time_text(at, when));
		goto done;
	}
	rc = 0;
done:
	if (tl)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (i = 0; i < ncand; i++)
		gnutls_x509_crt_deinit(cand[i]);
	if (anchor)
		gnutls_x509_crt_deinit(anchor);
	if (leaf_crt)
		gnutls_x509_crt_deinit(leaf_crt);
	return rc;
}

/* 1 when the authority's validFor covers at (both ends inclusive). */
static int cert_window_covers(const struct dr_ss_window *w, time_t at)
{
	if (w->has_start && at < w->start)
		return 0;
	return !w->has_end || at <= w->end;
}

int dr_ss_cert_chain_verify(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *root, time_t at,
			    size_t *issuer_index_out, char *why, size_t why_cap)
{
	gnutls_x509_crt_t leaf;
	unsigned critical = 0;
	size_t i, tried = 0;
	char when[32];
	int ca_status;

	if (!b || !root)
		return dr_ss_fail(why, why_cap, "no bundle or trusted root");
	if (b->cert_count == 0)
		return dr_ss_fail(why, why_cap, "bundle has no signing certificate");
	if (cert_import(&b->certs[0], &leaf, "signing certificate", why, why_cap) < 0)
		return -1;
	ca_status = gnutls_x509_crt_get_ca_status(leaf, &critical);
	if (ca_status > 0 || gnutls_x509_crt_check_issuer(leaf, leaf)) {
		gnutls_x509_crt_deinit(leaf);
		return dr_ss_fail(why, why_cap, "bundle's signing certificate is a CA or self-issued certificate");
	}
	gnutls_x509_crt_deinit(leaf);
	/* protobuf-specs: the chain after the leaf MUST NOT hold a root CA (sigstore-conformance
	 * bundle-with-root-cert_fail); the rest of it is ignored, the root's CAs are the path. */
	for (i = 1; i < b->cert_count && i < DR_SS_CHAIN_MAX; i++) {
		gnutls_x509_crt_t c;

		if (cert_import(&b->certs[i], &c, "bundle certificate", why, why_cap) < 0)
			return -1;
		ca_status = gnutls_x509_crt_get_ca_status(c, &critical);
		if (ca_status > 0 && gnutls_x509_crt_check_issuer(c, c)) {
			gnutls_x509_crt_deinit(c);
			return dr_ss_fail(why, why_cap, "bundle's certificate chain carries a root CA certificate");
		}
		gnutls_x509_crt_deinit(c);
	}
	if (root->ca_count > DR_SS_AUTHORITIES_MAX)
		return dr_ss_fail(why, why_cap, "trusted root lists too many certificate authorities");
	for (i = 0; i < root->ca_count; i++) {
		if (!cert_window_covers(&root->cas[i].valid_for, at))
			continue;
		tried++;
		if (dr_ss_cert_path_verify(&b->certs[0], NULL, 0, &root->cas[i], at, GNUTLS_KP_CODE_SIGNING, why,
					   why_cap) == 0) {
			if (issuer_index_out)
				*issuer_index_out = i;
			return 0;
		}
	}
	if (!tried)
		return dr_ss_fail(why, why_cap, "no certificate authority of the trusted root is valid at %s",
				 cert_time_text(at, when));
	return -1; /* why holds the last authority's refusal */
}

const struct dr_ss_bytes *dr_ss_cert_issuer_of(const struct dr_ss_bytes *leaf, const struct dr_ss_authority *ca)
{
	const struct dr_ss_bytes *found = NULL;
	gnutls_x509_crt_t crt, issuer;
	unsigned status;

	if (!ca || cert_import(leaf, &crt, "certificate", NULL, 0) < 0)
		return NULL;
	for (size_t i = 0; i < ca->cert_count && i < DR_SS_CHAIN_MAX && !found; i++) {
		if (cert_import(&ca->certs[i], &issuer, "certificate", NULL, 0) < 0)
			continue;
		status = 1;
		if (gnutls_x509_crt_check_issuer(crt, issuer) &&
		    gnutls_x509_crt_verify(crt, &issuer, 1,
					   GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
					   &status) == 0 &&
		    status == 0)
			found = &ca->certs[i];
		gnutls_x509_crt_deinit(issuer);
	}
	gnutls_x509_crt_deinit(crt);
	return found;
}

/* Decode cert with cert.asn's Certificate into *tree (the caller deletes it with
 * asn1_delete_structure), strict DER, nothing after it. */
static int cert_decode(const struct dr_ss_bytes *cert, asn1_node *defs, asn1_node *tree, char *why, size_t why_cap)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	int len;

	*defs = NULL;
	*tree = NULL;
	if (!cert || !cert->data || cert->len == 0 || cert->len > DR_SS_CERT_MAX)
		return dr_ss_fail(why, why_cap, "certificate is empty or longer than %u bytes", DR_SS_CERT_MAX);
	if (asn1_array2tree(dr_ss_cert_asn1_tab, defs, err) != ASN1_SUCCESS ||
	    asn1_create_element(*defs, "DreichorCert.Certificate", tree) != ASN1_SUCCESS)
		return dr_ss_fail(why, why_cap, "cannot load the certificate ASN.1 definitions");
	len = (int)cert->len;
	if (asn1_der_decoding2(tree, cert->data, &len, ASN1_DECODE_FLAG_STRICT_DER, err) != ASN1_SUCCESS ||
	    (size_t)len != cert->len)
		return dr_ss_fail(why, why_cap, "certificate is not one DER X.509 certificate");
	return 0;
}

/* Copy the bytes of the decoded element name of der into *out (malloc'd). */
static int cert_copy_range(asn1_node tree, const struct dr_ss_bytes *der, const char *name,
			   struct dr_ss_bytes *out, char *why, size_t why_cap)
{
	int start = 0, end = 0;

	if (asn1_der_decoding_startEnd(tree, der->data, (int)der->len, name, &start, &end) != ASN1_SUCCESS ||
	    start < 0 || end < start || (size_t)end >= der->len)
		return dr_ss_fail(why, why_cap, "certificate has no %s", name);
	out->len = (size_t)(end - start + 1);
	out->data = malloc(out->len);
	if (!out->data) {
		out->len = 0;
		return dr_ss_fail(why, why_cap, "out of memory");
	}
	memcpy(out->data, der->data + start, out->len);
	return 0;
}

int dr_ss_cert_spki(const struct dr_ss_bytes *cert, struct dr_ss_bytes *spki_out, char *why, size_t why_cap)
{
	asn1_node defs, tree;
	int rc = -1;

	spki_out->data = NULL;
	spki_out->len = 0;
	if (cert_decode(cert, &defs, &tree, why, why_cap) == 0)
		rc = cert_copy_range(tree, cert, "tbsCertificate.subjectPublicKeyInfo", spki_out, why, why_cap);
	asn1_delete_structure(&tree);
	asn1_delete_structure(&defs);
	return rc;
}

int dr_ss_cert_tbs_without(const struct dr_ss_bytes *cert, const char *ext_oid, struct dr_ss_bytes *tbs_out,
			   char *why, size_t why_cap)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE], name[64], oid[128];
	struct dr_ss_bytes orig = { NULL, 0 };
	asn1_node defs, tree;
	unsigned char *buf = NULL;
	int count = 0, found = 0, len, olen, rc = -1;

	tbs_out->data = NULL;
	tbs_out->len = 0;
	if (cert_decode(cert, &defs, &tree, why, why_cap) < 0)
		goto done;
	if (cert_copy_range(tree, cert, "tbsCertificate", &orig, why, why_cap) < 0)
		goto done;
	buf = malloc(cert->len);
	if (!buf) {
		dr_ss_fail(why, why_cap, "out of memory");
		goto done;
	}
	/* The decoder must give back exactly the bytes it read before one is cut out. */
	len = (int)cert->len;
	if (asn1_der_coding(tree, "tbsCertificate", buf, &len, err) != ASN1_SUCCESS || (size_t)len != orig.len ||
	    memcmp(buf, orig.data, orig.len)) {
		dr_ss_fail(why, why_cap, "certificate's TBS does not re-encode to its own bytes");
		goto done;
	}
	if (asn1_number_of_elements(tree, "tbsCertificate.extensions", &count) != ASN1_SUCCESS)
		count = 0;
	for (int i = 1; i <= count; i++) {
		snprintf(name, sizeof name, "tbsCertificate.extensions.?%d.extnID", i);
		olen = (int)sizeof oid;
		if (asn1_read_value(tree, name, oid, &olen) != ASN1_SUCCESS)
			continue;
		if (!strcmp(oid, ext_oid)) {
			if (found) {
				dr_ss_fail(why, why_cap, "certificate carries extension %s twice", ext_oid);
				goto done;
			}
			found = i;
		}
	}
	if (!found) {
		dr_ss_fail(why, why_cap, "certificate has no extension %s", ext_oid);
		goto done;
	}
	snprintf(name, sizeof name, "tbsCertificate.extensions.?%d", found);
	if (asn1_delete_element(tree, name) != ASN1_SUCCESS) {
		dr_ss_fail(why, why_cap, "cannot remove extension %s", ext_oid);
		goto done;
	}
	len = (int)cert->len;
	if (asn1_der_coding(tree, "tbsCertificate", buf, &len, err) != ASN1_SUCCESS || len <= 0) {
		dr_ss_fail(why, why_cap, "cannot re-encode the certificate's TBS");
		goto done;
	}
	tbs_out->data = buf;
	tbs_out->len = (size_t)len;
	buf = NULL;
	rc = 0;
done:
	free(buf);
	free(orig.data);
	asn1_delete_structure(&tree);
	asn1_delete_structure(&defs);
	return rc;
}

/* Copy len bytes of text into out (cap bytes, NUL-terminated): -1 when too long or with a NUL. */
static int cert_copy_text(char *out, size_t cap, const void *text, size_t len)
{
	if (len >= cap || memchr(text, '\0', len))
		return -1;
	memcpy(out, text, len);
	out[len] = '\0';
	return 0;
}

/* Extension oid of crt into out: DER UTF8String when der_utf8, else its raw bytes. 0 when
 * copied or absent (out empty), -1 when malformed or too long. */
static int cert_ext_text(gnutls_x509_crt_t crt, const char *oid, int der_utf8, char *out, size_t cap)
{
	gnutls_datum_t d = { NULL, 0 };
	const unsigned char *str;
	unsigned str_len, critical = 0;
	int ret, rc = -1;

	out[0] = '\0';
	ret = gnutls_x509_crt_get_extension_by_oid2(crt, oid, 0, &d, &critical);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (ret < 0)
		return -1;
	str = d.data;
	str_len = d.size;
	if (der_utf8 && (asn1_decode_simple_der(ASN1_ETYPE_UTF8_STRING, d.data, d.size, &str, &str_len) !=
				 ASN1_SUCCESS ||
			 (size_t)(str - d.data) + str_len != d.size))
		goto done;
	rc = cert_copy_text(out, cap, str, str_len);
done:
	gnutls_free(d.data);
	return rc;
}

int dr_ss_cert_signer(const struct dr_ss_bytes *leaf, struct dr_ss_signer *out, char *why, size_t why_cap)
{
	gnutls_x509_crt_t crt;
	char san[sizeof out->identity], issuer_v1[sizeof out->issuer];
	unsigned critical = 0, identities = 0;
	int rc = -1;

	out->identity[0] = out->issuer[0] = out->source_repository[0] = '\0';
	out->source_commit[0] = out->run_url[0] = '\0';
	if (cert_import(leaf, &crt, "signing certificate", why, why_cap) < 0)
		return -1;
	/* Fulcio names one identity; a certificate naming two is refused rather than judged on either. */
	for (unsigned seq = 0; seq < 64; seq++) {
		size_t size = sizeof san;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, san, &size, &critical);

		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type == GNUTLS_E_SHORT_MEMORY_BUFFER) {
			dr_ss_fail(why, why_cap, "signing certificate's subject alternative name is too long");
			goto done;
		}
		if (type != GNUTLS_SAN_URI && type != GNUTLS_SAN_RFC822NAME)
			continue;
		if (++identities > 1) {
			dr_ss_fail(why, why_cap, "signing certificate names more than one URI or email identity");
			goto done;
		}
		if (cert_copy_text(out->identity, sizeof out->identity, san, size) < 0) {
			dr_ss_fail(why, why_cap, "signing certificate's subject alternative name is malformed");
			goto done;
		}
	}
	if (!out->identity[0]) {
		dr_ss_fail(why, why_cap, "signing certificate names no URI or email identity");
		goto done;
	}
	issuer_v1[0] = '\0';
	if (cert_ext_text(crt, CERT_OID_ISSUER_V2, 1, out->issuer, sizeof out->issuer) < 0 ||
	    cert_ext_text(crt, CERT_OID_ISSUER_V1, 0, issuer_v1, sizeof issuer_v1) < 0) {
		dr_ss_fail(why, why_cap, "signing certificate's OIDC issuer extension is malformed");
		goto done;
	}
	/* The deprecated extension and its successor must not disagree: neither is judged alone then. */
	if (out->issuer[0] && issuer_v1[0] && strcmp(out->issuer, issuer_v1)) {
		dr_ss_fail(why, why_cap, "signing certificate's two OIDC issuer extensions disagree");
		goto done;
	}
	if (!out->issuer[0])
		memcpy(out->issuer, issuer_v1, sizeof issuer_v1);
	if (cert_ext_text(crt, CERT_OID_SOURCE_REPO, 1, out->source_repository, sizeof out->source_repository) < 0 ||
	    cert_ext_text(crt, CERT_OID_SOURCE_DIGEST, 1, out->source_commit, sizeof out->source_commit) < 0 ||
	    cert_ext_text(crt, CERT_OID_RUN_URL, 1, out->run_url, sizeof out->run_url) < 0) {
		dr_ss_fail(why, why_cap, "signing certificate's source extensions are malformed");
		goto done;
	}
	rc = 0;
done:
	gnutls_x509_crt_deinit(crt);
	return rc;
}
