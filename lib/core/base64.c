/* base64.c: base64 and base64url. */

#include <string.h>

#include "base64.h"

static int base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

long dr_base64url_decode_n(const char *text, size_t len, unsigned char *out, size_t cap)
{
	unsigned int acc = 0;
	int bits = 0;
	size_t n = 0, i;

	for (i = 0; i < len && text[i] != '='; i++) {
		int v = base64_value(text[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= cap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	for (; i < len; i++)
		if (text[i] != '=')
			return -1;
	return (long)n;
}

long dr_base64url_decode_strict(const char *text, size_t len, unsigned char *out, size_t cap)
{
	size_t i;
	int last;

	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++)
		if (text[i] == '+' || text[i] == '/' || text[i] == '=' || base64_value(text[i]) < 0)
			return -1;
	/* The last character's unused low bits: 4 when 2 characters remain, 2 when 3 do. */
	if (len % 4) {
		last = base64_value(text[len - 1]);
		if (last & (len % 4 == 2 ? 0x0f : 0x03))
			return -1;
	}
	return dr_base64url_decode_n(text, len, out, cap);
}

long dr_base64_decode(const char *text, unsigned char *out, size_t cap)
{
	return dr_base64url_decode_n(text, strlen(text), out, cap);
}

int dr_base64url_encode(const unsigned char *data, size_t len, char *out, size_t cap)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;

	if (cap < ((len + 2) / 3) * 4 + 1)
		return -1;
	for (i = 0; i < len; i += 3) {
		unsigned int v = (unsigned int)data[i] << 16;
		if (i + 1 < len)
			v |= (unsigned int)data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}
