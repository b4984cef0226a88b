/* base64.c: base64 and base64url through Nettle's coder, with the
 * strictness the callers need put around it (Nettle skips white space and
 * does not look at the unused bits of the last character). */

#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "base64.h"

/* 1 when text[0..len) has white space, which Nettle would skip and we refuse. */
static int base64_has_space(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (strchr(" \t\n\r\f\v", text[i]) || text[i] == '\0')
			return 1;
	return 0;
}

/* Decode exactly len characters with ctx's alphabet, padding optional; the length or -1. */
static long base64_decode_with(struct base64_decode_ctx *ctx, const char *text, size_t len, unsigned char *out,
			       size_t cap)
{
	static const char padding[] = "==";
	size_t n = 0, more = 0, need = BASE64_DECODE_LENGTH(len + 2);
	uint8_t *buf;
	long rc = -1;

	if (len % 4 == 1 || base64_has_space(text, len) || !(buf = malloc(need)))
		return -1;
	if (base64_decode_update(ctx, &n, buf, len, text) &&
	    (len % 4 == 0 || base64_decode_update(ctx, &more, buf + n, 4 - len % 4, padding)) &&
	    base64_decode_final(ctx) && n + more <= cap) {
		memcpy(out, buf, n + more);
		rc = (long)(n + more);
	}
	free(buf);
	return rc;
}

long dr_base64_decode(const char *text, unsigned char *out, size_t cap)
{
	struct base64_decode_ctx ctx;
	size_t len = strlen(text);

	if (strpbrk(text, "-_"))
		base64url_decode_init(&ctx);
	else
		base64_decode_init(&ctx);
	return base64_decode_with(&ctx, text, len, out, cap);
}

long dr_base64url_decode_n(const char *text, size_t len, unsigned char *out, size_t cap)
{
	struct base64_decode_ctx ctx;

	base64url_decode_init(&ctx);
	return base64_decode_with(&ctx, text, len, out, cap);
}

long dr_base64url_decode_strict(const char *text, size_t len, unsigned char *out, size_t cap)
{
	long n;
	char *again;
	int same;

	if (memchr(text, '=', len) || (n = dr_base64url_decode_n(text, len, out, cap)) < 0)
		return -1;
	/* Canonical: encoding the bytes again gives the same text (no stray low bits). */
	if (!(again = malloc(BASE64_ENCODE_RAW_LENGTH((size_t)n) + 1)) ||
	    dr_base64url_encode(out, (size_t)n, again, BASE64_ENCODE_RAW_LENGTH((size_t)n) + 1)) {
		free(again);
		return -1;
	}
	same = strcspn(again, "=") == len && !memcmp(again, text, len);
	free(again);
	return same ? n : -1;
}

int dr_base64url_encode(const unsigned char *data, size_t len, char *out, size_t cap)
{
	struct base64_encode_ctx ctx;
	size_t n;

	if (cap < BASE64_ENCODE_RAW_LENGTH(len) + 1)
		return -1;
	base64url_encode_init(&ctx);
	n = base64_encode_update(&ctx, out, len, data);
	n += base64_encode_final(&ctx, out + n);
	out[n] = '\0';
	return 0;
}
