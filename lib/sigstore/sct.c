/* sct.c: embedded SCTs. The list is TLS-encoded (RFC 6962 3.3) and read
 * here: GnuTLS's gnutls_x509_ct_sct_get drops the timestamp's milliseconds
 * and the SCT's extensions, both of which the log signed. The DER around it
 * and the precertificate TBS come from libtasn1 (cert.c), the signature
 * check from pubkey.c. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

#include "cert.h"
#include "pubkey.h"
#include "reason.h"
#include "sct.h"

#define SCT_LOG_ID_LEN 32
#define SCT_HASH_SHA256 4   /* RFC 5246 HashAlgorithm */
#define SCT_SIG_RSA 1       /* RFC 5246 SignatureAlgorithm */
#define SCT_SIG_ECDSA 3
#define SCT_TBS_MAX 0xffffffu /* a 3-byte length */

/* One SCT as the list carries it; pointers into the list. */
struct sct_entry {
	unsigned version;
	const unsigned char *log_id;
	uint64_t timestamp_ms;
	const unsigned char *ext;
	size_t ext_len;
	unsigned hash_alg;
	unsigned sig_alg;
	const unsigned char *sig;
	size_t sig_len;
};

/* A reader over TLS-encoded bytes: every read checks the bytes left. */
struct sct_reader {
	const unsigned char *p;
	size_t left;
};

/* Read an n-byte big-endian number (n <= 8); 0 or -1. */
static int sct_read_uint(struct sct_reader *r, size_t n, uint64_t *out)
{
	if (r->left < n)
		return -1;
	*out = 0;
	for (size_t i = 0; i < n; i++)
		*out = (*out << 8) | r->p[i];
	r->p += n;
	r->left -= n;
	return 0;
}

/* Take n bytes; 0 or -1. */
static int sct_read_bytes(struct sct_reader *r, size_t n, const unsigned char **out)
{
	if (r->left < n)
		return -1;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

/* A vector with a len_bytes-byte length prefix; 0 or -1. */
static int sct_read_vector(struct sct_reader *r, size_t len_bytes, const unsigned char **out, size_t *len)
{
	uint64_t n;

	if (sct_read_uint(r, len_bytes, &n) < 0 || n > r->left)
		return -1;
	*len = (size_t)n;
	return sct_read_bytes(r, *len, out);
}

/* Parse one SerializedSCT (its bytes exactly) into *e; 0 or -1. */
static int sct_parse_one(const unsigned char *p, size_t len, struct sct_entry *e)
{
	struct sct_reader r = { p, len };
	uint64_t v;

	if (sct_read_uint(&r, 1, &v) < 0)
		return -1;
	e->version = (unsigned)v;
	if (e->version != 0) /* v1; later versions are not read */
		return -1;
	if (sct_read_bytes(&r, SCT_LOG_ID_LEN, &e->log_id) < 0 || sct_read_uint(&r, 8, &e->timestamp_ms) < 0 ||
	    sct_read_vector(&r, 2, &e->ext, &e->ext_len) < 0 || sct_read_uint(&r, 1, &v) < 0)
		return -1;
	e->hash_alg = (unsigned)v;
	if (sct_read_uint(&r, 1, &v) < 0)
		return -1;
	e->sig_alg = (unsigned)v;
	if (sct_read_vector(&r, 2, &e->sig, &e->sig_len) < 0 || r.left != 0)
		return -1;
	return 0;
}

/* The CT log of root with this log id, or NULL. */
static const struct dr_ss_log *sct_find_log(const struct dr_ss_trusted_root *root, const unsigned char *log_id)
{
	for (size_t i = 0; i < root->ctlog_count && i < DR_SS_AUTHORITIES_MAX; i++)
		if (root->ctlogs[i].log_id_len == SCT_LOG_ID_LEN &&
		    !memcmp(root->ctlogs[i].log_id, log_id, SCT_LOG_ID_LEN))
			return &root->ctlogs[i];
	return NULL;
}

/* 1 when the log's validFor covers a time in milliseconds (both ends inclusive). */
static int sct_log_valid_at(const struct dr_ss_log *log, uint64_t ms)
{
	if (ms > (uint64_t)INT64_MAX / 2)
		return 0;
	if (log->valid_for.has_start && (int64_t)ms < (int64_t)log->valid_for.start * 1000)
		return 0;
	return !log->valid_for.has_end || (int64_t)ms <= (int64_t)log->valid_for.end * 1000;
}

/* Verify one SCT's signature over the precertificate entry. */
static int sct_check_one(const struct sct_entry *e, const struct dr_ss_log *log, const unsigned char key_hash[32],
			 const struct dr_ss_bytes *tbs, char *why, size_t why_cap)
{
	size_t len = 1 + 1 + 8 + 2 + 32 + 3 + tbs->len + 2 + e->ext_len, o = 0;
	unsigned char *buf;
	int rc;

	if (e->hash_alg != SCT_HASH_SHA256 || (e->sig_alg != SCT_SIG_ECDSA && e->sig_alg != SCT_SIG_RSA))
		return dr_ss_fail(why, why_cap, "SCT signed with an algorithm other than ECDSA or RSA with SHA-256");
	if (tbs->len > SCT_TBS_MAX || e->ext_len > 0xffff)
		return dr_ss_fail(why, why_cap, "precertificate too long for an SCT");
	buf = malloc(len);
	if (!buf)
		return dr_ss_fail(why, why_cap, "out of memory");
	buf[o++] = 0;                  /* sct_version v1 */
	buf[o++] = 0;                  /* signature_type certificate_timestamp */
	for (int i = 7; i >= 0; i--)   /* timestamp */
		buf[o++] = (unsigned char)(e->timestamp_ms >> (8 * i));
	buf[o++] = 0;                  /* entry_type precert_entry (1) */
	buf[o++] = 1;
	memcpy(buf + o, key_hash, 32); /* issuer_key_hash */
	o += 32;
	buf[o++] = (unsigned char)(tbs->len >> 16);
	buf[o++] = (unsigned char)(tbs->len >> 8);
	buf[o++] = (unsigned char)tbs->len;
	memcpy(buf + o, tbs->data, tbs->len);
	o += tbs->len;
	buf[o++] = (unsigned char)(e->ext_len >> 8);
	buf[o++] = (unsigned char)e->ext_len;
	if (e->ext_len)
		memcpy(buf + o, e->ext, e->ext_len);
	rc = dr_ss_pubkey_verify_sha256(log->public_key.data, log->public_key.len,
					log->key_details[0] ? log->key_details : NULL, buf, len, e->sig, e->sig_len,
					why, why_cap);
	free(buf);
	return rc;
}

/* The TLS-encoded SCT list of leaf's extension into *list (the caller gnutls_free()s
 * list->data); *body, *body_len point at its bytes. 0 or -1. */
static int sct_list_of(const struct dr_ss_bytes *leaf, gnutls_datum_t *ext, const unsigned char **body,
		       size_t *body_len, char *why, size_t why_cap)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;
	unsigned critical = 0, len = 0;
	int ret;

	ext->data = NULL;
	ext->size = 0;
	if (!leaf || !leaf->data || leaf->len == 0 || leaf->len > DR_SS_CERT_MAX)
		return dr_ss_fail(why, why_cap, "signing certificate is empty or too long");
	if (gnutls_x509_crt_init(&crt) < 0)
		return dr_ss_fail(why, why_cap, "out of memory for a certificate");
	d.data = leaf->data;
	d.size = (unsigned)leaf->len;
	ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
	if (ret == 0)
		ret = gnutls_x509_crt_get_extension_by_oid2(crt, DR_SS_SCT_OID, 0, ext, &critical);
	gnutls_x509_crt_deinit(crt);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return dr_ss_fail(why, why_cap, "signing certificate embeds no SCT");
	if (ret < 0)
		return dr_ss_fail(why, why_cap, "signing certificate is not a DER X.509 certificate");
	if (asn1_decode_simple_der(ASN1_ETYPE_OCTET_STRING, ext->data, ext->size, body, &len) != ASN1_SUCCESS ||
	    (size_t)(*body - ext->data) + len != ext->size) {
		gnutls_free(ext->data);
		ext->data = NULL;
		return dr_ss_fail(why, why_cap, "signing certificate's SCT extension is not an OCTET STRING");
	}
	*body_len = len;
	return 0;
}

int dr_ss_sct_verify(const struct dr_ss_bytes *leaf, const struct dr_ss_bytes *issuer,
		     const struct dr_ss_trusted_root *root, char *why, size_t why_cap)
{
	struct dr_ss_bytes spki = { NULL, 0 }, tbs = { NULL, 0 };
	gnutls_datum_t ext = { NULL, 0 };
	const unsigned char *body, *one;
	unsigned char key_hash[32];
	struct sct_reader list;
	size_t body_len, one_len, seen = 0, known = 0;
	char last[DR_SS_REASON_MAX] = "";
	int rc = -1;

	if (!root || !issuer)
		return dr_ss_fail(why, why_cap, "no issuer certificate or trusted root for the SCTs");
	if (sct_list_of(leaf, &ext, &body, &body_len, why, why_cap) < 0)
		return -1;
	if (dr_ss_cert_spki(issuer, &spki, why, why_cap) < 0 ||
	    dr_ss_cert_tbs_without(leaf, DR_SS_SCT_OID, &tbs, why, why_cap) < 0)
		goto done;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.len, key_hash) < 0) {
		dr_ss_fail(why, why_cap, "cannot hash the issuer's key");
		goto done;
	}
	list.p = body;
	list.left = body_len;
	if (sct_read_vector(&list, 2, &body, &body_len) < 0 || list.left != 0 || body_len == 0) {
		dr_ss_fail(why, why_cap, "signing certificate's SCT list is malformed");
		goto done;
	}
	list.p = body;
	list.left = body_len;
	while (list.left) {
		struct sct_entry e;
		const struct dr_ss_log *log;

		if (++seen > DR_SS_SCTS_MAX) {
			dr_ss_fail(why, why_cap, "signing certificate embeds more than %d SCTs", DR_SS_SCTS_MAX);
			goto done;
		}
		if (sct_read_vector(&list, 2, &one, &one_len) < 0) {
			dr_ss_fail(why, why_cap, "signing certificate's SCT list is malformed");
			goto done;
		}
		if (sct_parse_one(one, one_len, &e) < 0) {
			snprintf(last, sizeof last, "an SCT is malformed or not version 1");
			continue;
		}
		log = sct_find_log(root, e.log_id);
		if (!log)
			continue;
		known++;
		if (!sct_log_valid_at(log, e.timestamp_ms)) {
			snprintf(last, sizeof last, "SCT time lies outside its CT log's validity in the trusted root");
			continue;
		}
		if (sct_check_one(&e, log, key_hash, &tbs, last, sizeof last) == 0) {
			rc = 0;
			goto done;
		}
	}
	if (!known)
		dr_ss_fail(why, why_cap, "no SCT of the signing certificate comes from a CT log of the trusted root");
	else
		dr_ss_fail(why, why_cap, "no SCT from a trusted CT log verifies: %s", last);
done:
	free(spki.data);
	free(tbs.data);
	gnutls_free(ext.data);
	return rc;
}
