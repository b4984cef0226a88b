/* decode.h: what the Sigstore decoders (trusted_root.c, bundle.c) share:
 * reading a bounded file, strict JSON into json-c, members of a json-c
 * object by type, canonical base64 and RFC 3339 times. Every function
 * checks its limit before it stores; each says who frees what. */
#ifndef DR_SS_DECODE_H
#define DR_SS_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "sigstore.h"

#define DR_SS_JSON_DEPTH 16 /* nesting of a bundle or a trusted root */
/* Values in one document (a bundle, a trusted root, TUF metadata): json-c spends about 1 KiB on an
 * empty object, so a few MiB of "{}," would otherwise cost hundreds of MiB before any check. */
#define DR_SS_JSON_VALUES_MAX 16384

/* Read the whole file at path (at most max bytes) into a new NUL-terminated heap buffer; 0 with
 * *text and *len set (the caller frees *text), or -1 with why filled. */
int dr_ss_read_file(const char *path, size_t max, char **text, size_t *len, char *why, size_t why_cap);

/* Check len bytes of text as strict JSON (lib/core/json_strict.h: RFC 8259, no key twice) holding
 * one object, then parse it with json-c into *out (the caller puts it); 0 or -1 with why filled. */
int dr_ss_json_parse(const char *text, size_t len, json_object **out, char *why, size_t why_cap);

/* The member key of obj when it is of type t; NULL when absent or of another type. */
json_object *dr_ss_json_member(json_object *obj, const char *key, json_type t);

/* 1 when obj has a member key that is not null (protobuf's JSON reads null as absent), else 0. */
int dr_ss_json_present(json_object *obj, const char *key);

/* The string member key of obj copied into out (cap bytes, NUL-terminated); 0, or -1 when absent,
 * not a string, holding a NUL or too long for out. */
int dr_ss_json_string(json_object *obj, const char *key, char *out, size_t cap);

/* The base64 string member key of obj decoded into a new heap buffer in out (at most max bytes;
 * the caller frees out->data); 0, or -1 when absent, not a string or not canonical base64. */
int dr_ss_json_bytes(json_object *obj, const char *key, size_t max, struct dr_ss_bytes *out);

/* The same into a caller buffer: 0 with *len_out set, or -1 (also when longer than cap). */
int dr_ss_json_bytes_fixed(json_object *obj, const char *key, unsigned char *out, size_t cap, size_t *len_out);

/* A decimal integer member as protobuf's JSON writes int64 (a string of digits, or a number) in
 * [min, max]; 0, or -1 when absent or out of range. */
int dr_ss_json_int64(json_object *obj, const char *key, int64_t min, int64_t max, int64_t *out);

/* Decode standard base64 (RFC 4648 section 4: its alphabet only, padding to a multiple of four,
 * unused bits zero; line breaks CR and LF are skipped, as Go's decoder and base64(1) -d do, and
 * no other whitespace is allowed) of len characters into a new heap buffer in out (at most max
 * bytes; empty text gives NULL, 0); 0 or -1. The caller frees out->data. */
int dr_ss_base64_decode(const char *text, size_t len, size_t max, struct dr_ss_bytes *out);


/* A PEM "PUBLIC KEY" block (the first in len bytes of text) into its SubjectPublicKeyInfo DER in a
 * new heap buffer in out (the caller frees out->data); 0 or -1. */
int dr_ss_pem_public_key(const char *text, size_t len, struct dr_ss_bytes *out);

/* Free b's data and zero it. */
void dr_ss_bytes_free(struct dr_ss_bytes *b);

#endif
