/* sigstore.h: the decoded forms every Sigstore module shares: a trusted
 * root (Sigstore's trusted_root.json) and a bundle (Sigstore's
 * bundle.sigstore.json, media types 0.1 to 0.3), as plain structs of
 * bytes. The decoders (trusted_root.c, bundle.c) fill them; the checks
 * (pubkey.c, cert.c, sct.c, tsa.c, tlog.c, verify.c) read them. A filled
 * struct owns its heap bytes: free it with its _free function. Nothing
 * here is trusted until verify.c says so. */
#ifndef DR_SIGSTORE_H
#define DR_SIGSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Named limits, checked by the decoders before every store. */
#define DR_SS_BUNDLE_MAX (4u << 20)       /* bytes of a bundle file */
#define DR_SS_ROOT_MAX (4u << 20)         /* bytes of a trusted root file */
#define DR_SS_AUTHORITIES_MAX 32          /* CAs, TSAs, logs of one kind in a root */
#define DR_SS_CHAIN_MAX 8                 /* certificates in one chain */
#define DR_SS_TLOG_ENTRIES_MAX 8          /* log entries in one bundle */
#define DR_SS_TIMESTAMPS_MAX 8            /* RFC 3161 timestamps in one bundle */
#define DR_SS_PROOF_HASHES_MAX 64         /* hashes of one inclusion proof */
#define DR_SS_DSSE_SIGNATURES_MAX 8       /* signatures of one DSSE envelope */
#define DR_SS_REASON_MAX 256              /* one refusal, for a person */

/* Bytes on the heap (NULL, 0 when absent). */
struct dr_ss_bytes {
	unsigned char *data;
	size_t len;
};

/* A validity window; 0 for a bound the root leaves open (an open end). */
struct dr_ss_window {
	time_t start;
	time_t end;
	int has_start;
	int has_end;
};

/* A key the trusted root names a log by (Rekor or CT). */
struct dr_ss_log {
	char base_url[256];
	unsigned char log_id[32];      /* logId.keyId */
	size_t log_id_len;
	struct dr_ss_bytes public_key; /* SubjectPublicKeyInfo DER */
	char key_details[64];          /* e.g. PKIX_ECDSA_P256_SHA_256, PKIX_ED25519 */
	struct dr_ss_window valid_for;
};

/* A certificate authority (Fulcio) or timestamp authority: a chain, leaf first. */
struct dr_ss_authority {
	char uri[256];
	struct dr_ss_bytes certs[DR_SS_CHAIN_MAX]; /* DER, leaf (or intermediate) first, root last */
	size_t cert_count;
	struct dr_ss_window valid_for;
};

struct dr_ss_trusted_root {
	struct dr_ss_log tlogs[DR_SS_AUTHORITIES_MAX];
	size_t tlog_count;
	struct dr_ss_log ctlogs[DR_SS_AUTHORITIES_MAX];
	size_t ctlog_count;
	struct dr_ss_authority cas[DR_SS_AUTHORITIES_MAX];
	size_t ca_count;
	struct dr_ss_authority tsas[DR_SS_AUTHORITIES_MAX];
	size_t tsa_count;
};

/* One transparency log entry of a bundle, as the bundle carries it. */
struct dr_ss_tlog_entry {
	int64_t log_index;
	unsigned char log_id[32];
	size_t log_id_len;
	char kind[32];                          /* kindVersion.kind: hashedrekord, dsse, intoto */
	char version[16];                       /* kindVersion.version: 0.0.1, 0.0.2 */
	int64_t integrated_time;                /* 0 when absent (Rekor v2) */
	struct dr_ss_bytes signed_entry_timestamp; /* inclusionPromise; absent in Rekor v2 */
	struct dr_ss_bytes canonicalized_body;  /* the entry body, base64-decoded */
	int has_inclusion_proof;
	int64_t proof_log_index;
	int64_t proof_tree_size;
	unsigned char proof_root_hash[32];
	size_t proof_root_hash_len;
	unsigned char proof_hashes[DR_SS_PROOF_HASHES_MAX][32];
	size_t proof_hash_count;
	char *checkpoint;                       /* the checkpoint envelope text, NUL-terminated, or NULL */
};

enum dr_ss_content { DR_SS_MESSAGE_SIGNATURE = 1, DR_SS_DSSE_ENVELOPE };

struct dr_ss_dsse_signature {
	struct dr_ss_bytes sig;
	char keyid[128];
};

struct dr_ss_bundle {
	int minor_version;                      /* 1, 2 or 3 (media type version 0.N) */
	/* Verification material: a certificate chain (leaf first), or a public key hint. */
	struct dr_ss_bytes certs[DR_SS_CHAIN_MAX];
	size_t cert_count;
	char public_key_hint[256];              /* publicKey.hint, empty when none */
	int has_public_key;
	struct dr_ss_tlog_entry tlog[DR_SS_TLOG_ENTRIES_MAX];
	size_t tlog_count;
	struct dr_ss_bytes timestamps[DR_SS_TIMESTAMPS_MAX]; /* RFC 3161 TimeStampResponse/Token DER */
	size_t timestamp_count;
	enum dr_ss_content content;
	/* messageSignature */
	char digest_algorithm[32];              /* messageDigest.algorithm, e.g. SHA2_256 */
	struct dr_ss_bytes message_digest;
	struct dr_ss_bytes signature;           /* messageSignature.signature */
	/* dsseEnvelope */
	struct dr_ss_bytes dsse_payload;
	char dsse_payload_type[128];
	struct dr_ss_dsse_signature dsse_signatures[DR_SS_DSSE_SIGNATURES_MAX];
	size_t dsse_signature_count;
};

/* The artifact: its SHA-256 always, its bytes when the caller had the file. */
struct dr_ss_artifact {
	unsigned char sha256[32];
	const unsigned char *data; /* NULL when only the digest is known */
	size_t len;
};

/* What the caller requires of the signer. */
struct dr_ss_policy {
	const char *identity;    /* the SAN, compared exactly; NULL with key mode */
	const char *issuer;      /* the OIDC issuer (OID 1.3.6.1.4.1.57264.1.8 or .1.1), exactly */
	const unsigned char *key_spki; /* key mode: the trusted public key, SPKI DER */
	size_t key_spki_len;
};

/* What a verification proved: shown to the operator. */
struct dr_ss_signer {
	char identity[512];
	char issuer[256];
	char source_repository[256];  /* OID .1.12 */
	char source_commit[64];       /* OID .1.13 */
	char run_url[512];            /* OID .1.21 */
	int64_t log_index;            /* -1 when no log entry */
	time_t verified_time;         /* the time the chain was checked at */
	char time_source[32];         /* "tlog" or "timestamp" */
};

#endif
