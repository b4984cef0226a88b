/* percent.c: %XX decoding. */

#include "percent.h"

static int percent_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t dr_percent_decode(const char *in, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;

	if (!cap)
		return 0;
	for (i = 0; i < len && n < cap - 1; i++) {
		if (in[i] == '%' && i + 2 < len && percent_hex(in[i + 1]) >= 0 && percent_hex(in[i + 2]) >= 0) {
			out[n++] = (char)(percent_hex(in[i + 1]) * 16 + percent_hex(in[i + 2]));
			i += 2;
		} else {
			out[n++] = in[i];
		}
	}
	out[n] = '\0';
	return n;
}
