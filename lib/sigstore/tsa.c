/* tsa.c: one RFC 3161 timestamp: the response around the token and the
 * TSTInfo it signs read with libtasn1 (tsa.asn), the CMS signature checked
 * by GnuTLS against a signer this file picks itself (the TSA's leaf from
 * the trusted root, else the token's own certificate), the signer's path
 * by cert.c at the token's genTime, never the wall clock. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

#include "cert.h"
#include "reason.h"
#include "tsa.h"
#include "tsa_asn1_tab.h"

#define TSA_OID_EKU "2.5.29.37"
#define TSA_OID_SHA256 "2.16.840.1.101.3.4.2.1"
#define TSA_OID_SHA384 "2.16.840.1.101.3.4.2.2"
#define TSA_OID_SHA512 "2.16.840.1.101.3.4.2.3"
#define TSA_HASH_MAX 64
#define TSA_SERIAL_MAX 64

/* What this file reads of a TSTInfo. */
struct tsa_tstinfo {
	gnutls_digest_algorithm_t hash;
	unsigned char imprint[TSA_HASH_MAX];
	size_t imprint_len;
	time_t gen_time;
};

/* Decode len bytes of der as type (e.g. "DreichorTsa.TSTInfo") into *tree: strict DER,
 * nothing after it. The caller deletes *tree. 0 or -1. */
static int tsa_decode(asn1_node defs, const char *type, const unsigned char *der, size_t len, asn1_node *tree)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	int n = (int)len;

	*tree = NULL;
	if (len == 0 || len > DR_SS_TIMESTAMP_MAX || asn1_create_element(defs, type, tree) != ASN1_SUCCESS)
		return -1;
	if (asn1_der_decoding2(tree, der, &n, ASN1_DECODE_FLAG_STRICT_DER, err) != ASN1_SUCCESS || (size_t)n != len)
		return -1;
	return 0;
}

/* 1 when the INTEGER name of tree is the small number want. */
static int tsa_integer_is(asn1_node tree, const char *name, unsigned char want)
{
	unsigned char v[8];
	int len = (int)sizeof v;

	return asn1_read_value(tree, name, v, &len) == ASN1_SUCCESS && len == 1 && v[0] == want;
}

/* The token of a TimeStampResp (status granted or grantedWithMods), or the whole of der when
 * it is a bare token (a ContentInfo: its first member is an OID). *tok points into der. */
static int tsa_unwrap(asn1_node defs, const struct dr_ss_bytes *der, struct dr_ss_bytes *tok, char *why,
		      size_t why_cap)
{
	asn1_node resp = NULL;
	long body_len;
	int len_len = 0, start = 0, end = 0, rc = -1;

	if (der->len < 2 || der->data[0] != 0x30)
		return dr_ss_fail(why, why_cap, "timestamp is not a DER SEQUENCE");
	body_len = asn1_get_length_der(der->data + 1, (int)der->len - 1, &len_len);
	if (body_len <= 0 || (size_t)body_len != der->len - 1 - (size_t)len_len)
		return dr_ss_fail(why, why_cap, "timestamp is not one DER SEQUENCE");
	if (der->data[1 + len_len] == 0x06) {
		*tok = *der;
		return 0;
	}
	if (tsa_decode(defs, "DreichorTsa.TimeStampResp", der->data, der->len, &resp) < 0) {
		dr_ss_fail(why, why_cap, "timestamp is neither a TimeStampResp nor a TimeStampToken");
		goto done;
	}
	if (!tsa_integer_is(resp, "status.status", 0) && !tsa_integer_is(resp, "status.status", 1)) {
		dr_ss_fail(why, why_cap, "timestamp response does not grant a timestamp");
		goto done;
	}
	if (asn1_der_decoding_startEnd(resp, der->data, (int)der->len, "timeStampToken", &start, &end) !=
		    ASN1_SUCCESS ||
	    start <= 0 || end < start || (size_t)end >= der->len) {
		dr_ss_fail(why, why_cap, "timestamp response carries no token");
		goto done;
	}
	tok->data = der->data + start;
	tok->len = (size_t)(end - start + 1);
	rc = 0;
done:
	asn1_delete_structure(&resp);
	return rc;
}

/* n decimal digits at s; -1 when one is not a digit. */
static int tsa_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* A GeneralizedTime YYYYMMDDHHMMSS[.f+]Z (RFC 5280, RFC 3161 2.4.2) into *out, fractions
 * dropped; a date that does not exist (read back through gmtime_r) is refused. 0 or -1. */
static int tsa_parse_time(const char *s, size_t len, time_t *out)
{
	struct tm tm, back;
	size_t i = 14;
	time_t t;

	if (len < 15 || s[len - 1] != 'Z')
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = tsa_digits(s, 4) - 1900;
	tm.tm_mon = tsa_digits(s + 4, 2) - 1;
	tm.tm_mday = tsa_digits(s + 6, 2);
	tm.tm_hour = tsa_digits(s + 8, 2);
	tm.tm_min = tsa_digits(s + 10, 2);
	tm.tm_sec = tsa_digits(s + 12, 2);
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0)
		return -1;
	if (s[i] == '.') {
		if (++i >= len - 1)
			return -1;
		for (; i < len - 1; i++)
			if (s[i] < '0' || s[i] > '9')
				return -1;
	}
	if (i != len - 1)
		return -1;
	back = tm;
	t = timegm(&back);
	if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_year != tm.tm_year || back.tm_mon != tm.tm_mon ||
	    back.tm_mday != tm.tm_mday || back.tm_hour != tm.tm_hour || back.tm_min != tm.tm_min ||
	    back.tm_sec != tm.tm_sec)
		return -1;
	*out = t;
	return 0;
}

/* Decode the TSTInfo in der into *info. */
static int tsa_read_tstinfo(asn1_node defs, const gnutls_datum_t *der, struct tsa_tstinfo *info, char *why,
			    size_t why_cap)
{
	asn1_node tst = NULL;
	char oid[128], when[32];
	int len, rc = -1;

	if (tsa_decode(defs, "DreichorTsa.TSTInfo", der->data, der->size, &tst) < 0) {
		dr_ss_fail(why, why_cap, "timestamp token does not hold a DER TSTInfo");
		goto done;
	}
	if (!tsa_integer_is(tst, "version", 1)) {
		dr_ss_fail(why, why_cap, "timestamp TSTInfo is not version 1");
		goto done;
	}
	len = (int)sizeof oid;
	if (asn1_read_value(tst, "messageImprint.hashAlgorithm.algorithm", oid, &len) != ASN1_SUCCESS) {
		dr_ss_fail(why, why_cap, "timestamp names no hash algorithm");
		goto done;
	}
	if (!strcmp(oid, TSA_OID_SHA256))
		info->hash = GNUTLS_DIG_SHA256;
	else if (!strcmp(oid, TSA_OID_SHA384))
		info->hash = GNUTLS_DIG_SHA384;
	else if (!strcmp(oid, TSA_OID_SHA512))
		info->hash = GNUTLS_DIG_SHA512;
	else {
		dr_ss_fail(why, why_cap, "timestamp hashes with %.64s, not SHA-256, SHA-384 or SHA-512", oid);
		goto done;
	}
	len = (int)sizeof info->imprint;
	if (asn1_read_value(tst, "messageImprint.hashedMessage", info->imprint, &len) != ASN1_SUCCESS ||
	    (unsigned)len != gnutls_hash_get_len(info->hash)) {
		dr_ss_fail(why, why_cap, "timestamp's message imprint is not a digest of its algorithm");
		goto done;
	}
	info->imprint_len = (size_t)len;
	len = (int)sizeof when - 1;
	if (asn1_read_value(tst, "genTime", when, &len) == ASN1_SUCCESS && len > 0 && when[len - 1] == '\0')
		len--; /* libtasn1 counts the terminating NUL of a time */
	if (len <= 0 || (size_t)len >= sizeof when || tsa_parse_time(when, (size_t)len, &info->gen_time) < 0) {
		dr_ss_fail(why, why_cap, "timestamp's genTime is not a GeneralizedTime");
		goto done;
	}
	rc = 0;
done:
	asn1_delete_structure(&tst);
	return rc;
}

/* 1 when two big-endian numbers are equal, leading zero bytes aside. */
static int tsa_same_number(const unsigned char *a, size_t a_len, const unsigned char *b, size_t b_len)
{
	while (a_len && !*a) {
		a++;
		a_len--;
	}
	while (b_len && !*b) {
		b++;
		b_len--;
	}
	return a_len == b_len && !memcmp(a, b, a_len);
}

/* 1 when crt is the certificate the signer info names (issuer and serial, or key id). */
static int tsa_is_signer(gnutls_x509_crt_t crt, const gnutls_pkcs7_signature_info_st *si)
{
	unsigned char buf[TSA_SERIAL_MAX];
	size_t size = sizeof buf;
	unsigned critical = 0;
	gnutls_datum_t dn = { NULL, 0 };
	int same = 0;

	if (si->issuer_dn.size) {
		if (gnutls_x509_crt_get_raw_issuer_dn(crt, &dn) < 0)
			return 0;
		same = dn.size == si->issuer_dn.size && !memcmp(dn.data, si->issuer_dn.data, dn.size) &&
		       gnutls_x509_crt_get_serial(crt, buf, &size) == 0 &&
		       tsa_same_number(buf, size, si->signer_serial.data, si->signer_serial.size);
		gnutls_free(dn.data);
		return same;
	}
	if (si->issuer_keyid.size)
		return gnutls_x509_crt_get_subject_key_id(crt, buf, &size, &critical) == 0 &&
		       size == si->issuer_keyid.size && !memcmp(buf, si->issuer_keyid.data, size);
	return 0;
}

/* RFC 3161 2.3: the TSA's certificate is an end entity whose extended key usage is critical
 * and names timeStamping only. */
static int tsa_check_signer(gnutls_x509_crt_t crt, char *why, size_t why_cap)
{
	char oid[128];
	size_t size;
	unsigned critical = 0, eku_critical = 0, purposes = 0, i;
	int ret, found = 0;

	if (gnutls_x509_crt_get_ca_status(crt, &critical) > 0)
		return dr_ss_fail(why, why_cap, "timestamp signer's certificate is a CA certificate");
	for (i = 0; i < 64; i++) {
		size = sizeof oid;
		ret = gnutls_x509_crt_get_extension_info(crt, i, oid, &size, &critical);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret == 0 && !strcmp(oid, TSA_OID_EKU)) {
			found = 1;
			eku_critical = critical;
		}
	}
	if (!found || !eku_critical)
		return dr_ss_fail(why, why_cap, "timestamp signer's certificate lacks a critical extended key usage");
	for (i = 0; i < 64; i++) {
		size = sizeof oid;
		ret = gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &size, &critical);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret < 0 || strcmp(oid, GNUTLS_KP_TIME_STAMPING))
			return dr_ss_fail(why, why_cap, "timestamp signer's certificate has a key purpose other "
						      "than timeStamping");
		purposes++;
	}
	if (purposes != 1)
		return dr_ss_fail(why, why_cap, "timestamp signer's certificate must name timeStamping exactly once");
	return 0;
}

/* 1 when the window covers at (both ends inclusive). */
static int tsa_window_covers(const struct dr_ss_window *w, time_t at)
{
	if (w->has_start && at < w->start)
		return 0;
	return !w->has_end || at <= w->end;
}

/* Import DER into *crt; 0 or -1. */
static int tsa_import(const struct dr_ss_bytes *der, gnutls_x509_crt_t *crt)
{
	gnutls_datum_t d;

	*crt = NULL;
	if (!der->data || der->len == 0 || der->len > DR_SS_CERT_MAX)
		return -1;
	if (gnutls_x509_crt_init(crt) < 0) {
		*crt = NULL;
		return -1;
	}
	d.data = der->data;
	d.size = (unsigned)der->len;
	if (gnutls_x509_crt_import(*crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(*crt);
		*crt = NULL;
		return -1;
	}
	return 0;
}

/* The whole check against one TSA of the trusted root. */
static int tsa_try_authority(gnutls_pkcs7_t p7, const gnutls_pkcs7_signature_info_st *si,
			     const struct dr_ss_bytes *embedded, size_t n_embedded, const struct dr_ss_authority *a,
			     time_t gen_time, char *why, size_t why_cap)
{
	const struct dr_ss_bytes *signer = NULL;
	gnutls_x509_crt_t crt = NULL;
	const char *name = a->uri[0] ? a->uri : "a timestamp authority of the trusted root";
	unsigned critical = 0;
	int rc = -1, ret;

	if (a->cert_count == 0 || a->cert_count > DR_SS_CHAIN_MAX)
		return dr_ss_fail(why, why_cap, "%s has no certificates", name);
	/* A TSA whose chain starts with an end entity names its signer: nothing else may sign. */
	if (a->cert_count > 1 && tsa_import(&a->certs[0], &crt) == 0) {
		if (gnutls_x509_crt_get_ca_status(crt, &critical) <= 0) {
			if (!tsa_is_signer(crt, si)) {
				dr_ss_fail(why, why_cap, "timestamp was not signed by the certificate of %s", name);
				goto done;
			}
			signer = &a->certs[0];
		} else {
			gnutls_x509_crt_deinit(crt);
			crt = NULL;
		}
	}
	for (size_t i = 0; !signer && i < n_embedded; i++) {
		if (tsa_import(&embedded[i], &crt) < 0)
			continue;
		if (tsa_is_signer(crt, si))
			signer = &embedded[i];
		else {
			gnutls_x509_crt_deinit(crt);
			crt = NULL;
		}
	}
	if (!signer) {
		dr_ss_fail(why, why_cap, "timestamp's signer is neither embedded in it nor listed for %s", name);
		goto done;
	}
	/* GnuTLS checks the signer's window against its own clock unless both flags are given;
	 * the window is checked at genTime by dr_ss_cert_path_verify below. */
	ret = gnutls_pkcs7_verify_direct(p7, crt, 0, NULL,
					 GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS);
	if (ret < 0) {
		dr_ss_fail(why, why_cap, "timestamp's signature does not verify (%s)", gnutls_strerror(ret));
		goto done;
	}
	if (tsa_check_signer(crt, why, why_cap) < 0)
		goto done;
	if (dr_ss_cert_path_verify(signer, embedded, n_embedded, a, gen_time, GNUTLS_KP_TIME_STAMPING, why,
				   why_cap) < 0)
		goto done;
	if (!tsa_window_covers(&a->valid_for, gen_time)) {
		dr_ss_fail(why, why_cap, "timestamp's time lies outside the validity of %s in the trusted root", name);
		goto done;
	}
	rc = 0;
done:
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return rc;
}

int dr_ss_timestamp_verify(const struct dr_ss_bytes *token, const unsigned char *signed_bytes, size_t len,
			   const struct dr_ss_trusted_root *root, time_t *at_out, char *why, size_t why_cap)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	struct dr_ss_bytes tok = { NULL, 0 }, embedded[DR_SS_CHAIN_MAX];
	gnutls_datum_t raw[DR_SS_CHAIN_MAX], content = { NULL, 0 }, d;
	gnutls_pkcs7_signature_info_st si;
	unsigned char digest[TSA_HASH_MAX];
	struct tsa_tstinfo info;
	asn1_node defs = NULL;
	gnutls_pkcs7_t p7 = NULL;
	const char *oid;
	size_t n_raw = 0, i;
	int have_si = 0, count, rc = -1;

	memset(&si, 0, sizeof si);
	if (!token || !token->data || token->len == 0 || token->len > DR_SS_TIMESTAMP_MAX)
		return dr_ss_fail(why, why_cap, "timestamp is empty or longer than %u bytes", DR_SS_TIMESTAMP_MAX);
	if (!root || (!signed_bytes && len))
		return dr_ss_fail(why, why_cap, "no trusted root or signature for the timestamp");
	if (root->tsa_count == 0 || root->tsa_count > DR_SS_AUTHORITIES_MAX)
		return dr_ss_fail(why, why_cap, "trusted root lists no timestamp authority");
	if (asn1_array2tree(dr_ss_tsa_asn1_tab, &defs, err) != ASN1_SUCCESS) {
		dr_ss_fail(why, why_cap, "cannot load the timestamp ASN.1 definitions");
		goto done;
	}
	if (tsa_unwrap(defs, token, &tok, why, why_cap) < 0)
		goto done;
	if (gnutls_pkcs7_init(&p7) < 0) {
		p7 = NULL;
		dr_ss_fail(why, why_cap, "out of memory for a timestamp");
		goto done;
	}
	d.data = tok.data;
	d.size = (unsigned)tok.len;
	if (gnutls_pkcs7_import(p7, &d, GNUTLS_X509_FMT_DER) < 0) {
		dr_ss_fail(why, why_cap, "timestamp token is not a CMS SignedData");
		goto done;
	}
	if (gnutls_pkcs7_get_signature_count(p7) != 1) {
		dr_ss_fail(why, why_cap, "timestamp token must carry exactly one signature");
		goto done;
	}
	oid = gnutls_pkcs7_get_embedded_data_oid(p7);
	if (!oid || strcmp(oid, DR_SS_TSA_OID_TSTINFO)) {
		dr_ss_fail(why, why_cap, "timestamp token does not sign a TSTInfo");
		goto done;
	}
	if (gnutls_pkcs7_get_embedded_data(p7, 0, &content) < 0 ||
	    tsa_read_tstinfo(defs, &content, &info, why, why_cap) < 0) {
		if (!content.data)
			dr_ss_fail(why, why_cap, "timestamp token carries no TSTInfo");
		goto done;
	}
	if (gnutls_hash_fast(info.hash, signed_bytes ? signed_bytes : (const unsigned char *)"", len, digest) < 0 ||
	    memcmp(digest, info.imprint, info.imprint_len)) {
		dr_ss_fail(why, why_cap, "timestamp is not over this bundle's signature");
		goto done;
	}
	if (gnutls_pkcs7_get_signature_info(p7, 0, &si) < 0) {
		dr_ss_fail(why, why_cap, "timestamp's signer info is unreadable");
		goto done;
	}
	have_si = 1;
	count = gnutls_pkcs7_get_crt_count(p7);
	if (count < 0 || count > DR_SS_CHAIN_MAX) {
		dr_ss_fail(why, why_cap, "timestamp embeds more than %d certificates", DR_SS_CHAIN_MAX);
		goto done;
	}
	for (i = 0; i < (size_t)count; i++, n_raw++) {
		if (gnutls_pkcs7_get_crt_raw2(p7, (unsigned)i, &raw[i]) < 0) {
			dr_ss_fail(why, why_cap, "timestamp embeds an unreadable certificate");
			goto done;
		}
		embedded[i].data = raw[i].data;
		embedded[i].len = raw[i].size;
	}
	for (i = 0; i < root->tsa_count; i++)
		if (tsa_try_authority(p7, &si, embedded, n_raw, &root->tsas[i], info.gen_time, why, why_cap) == 0) {
			if (at_out)
				*at_out = info.gen_time;
			rc = 0;
			goto done;
		}
	/* why holds the last authority's refusal */
done:
	for (i = 0; i < n_raw; i++)
		gnutls_free(raw[i].data);
	if (have_si)
		gnutls_pkcs7_signature_info_deinit(&si);
	gnutls_free(content.data);
	if (p7)
		gnutls_pkcs7_deinit(p7);
	asn1_delete_structure(&defs);
	return rc;
}
