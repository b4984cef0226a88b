/* number.c: strict decimal parsing of untrusted text. */

#include <string.h>

#include "number.h"

int dr_parse_long(const char *text, long min, long max, long *out)
{
	long long n = 0;
	size_t i;

	if (!text || !text[0] || strlen(text) > 18)
		return -1;
	for (i = 0; text[i]; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		n = n * 10 + (text[i] - '0');
	}
	if (n < min || n > max)
		return -1;
	*out = (long)n;
	return 0;
}

int dr_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
