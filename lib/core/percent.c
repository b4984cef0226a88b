/* percent.c: %XX decoding. */

#include "number.h"
#include "percent.h"

size_t dr_percent_decode(const char *in, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;

	if (!cap)
		return 0;
	for (i = 0; i < len && n < cap - 1; i++) {
		if (in[i] == '%' && i + 2 < len && dr_hex_digit(in[i + 1]) >= 0 && dr_hex_digit(in[i + 2]) >= 0) {
			out[n++] = (char)(dr_hex_digit(in[i + 1]) * 16 + dr_hex_digit(in[i + 2]));
			i += 2;
		} else {
			out[n++] = in[i];
		}
	}
	out[n] = '\0';
	return n;
}
