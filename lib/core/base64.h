/* base64.h: base64 decoding (standard and URL-safe alphabets) and
 * URL-safe encoding into caller buffers. */
#ifndef DR_BASE64_H
#define DR_BASE64_H

#include <stddef.h>

/* Decode base64 or base64url text (padding optional) into out (cap bytes); returns the length or -1. */
long dr_base64_decode(const char *text, unsigned char *out, size_t cap);

/* Decode exactly len characters of base64url text; returns the length or -1. */
long dr_base64url_decode_n(const char *text, size_t len, unsigned char *out, size_t cap);

/* Decode exactly len characters of canonical base64url as JWTs use it (RFC 7515): the URL alphabet
 * only, no padding, unused trailing bits zero; returns the length or -1. */
long dr_base64url_decode_strict(const char *text, size_t len, unsigned char *out, size_t cap);

/* Encode len bytes as URL-safe base64 with padding into out (cap bytes, NUL-terminated); 0 or -1. */
int dr_base64url_encode(const unsigned char *data, size_t len, char *out, size_t cap);

#endif
