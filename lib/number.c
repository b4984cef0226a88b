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
