/* number.c: strict parsing of whole numbers in untrusted text. */

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

int dr_parse_unsigned(const char *text, size_t len, unsigned base, unsigned long long max, unsigned long long *out)
{
	unsigned long long n = 0;
	size_t i;

	if (!text || !len || (base != 10 && base != 16))
		return -1;
	for (i = 0; i < len; i++) {
		int d = dr_hex_digit(text[i]);
		if (d < 0 || (unsigned)d >= base || (unsigned)d > max || n > (max - (unsigned)d) / base)
			return -1;
		n = n * base + (unsigned)d;
	}
	*out = n;
	return 0;
}

int dr_parse_version(const char *text, long *major, long *minor)
{
	const char *dot = text ? strchr(text, '.') : NULL;
	unsigned long long a, b;

	if (!dot || dr_parse_unsigned(text, (size_t)(dot - text), 10, DR_VERSION_PART_MAX, &a) ||
	    dr_parse_unsigned(dot + 1, strlen(dot + 1), 10, DR_VERSION_PART_MAX, &b))
		return -1;
	*major = (long)a;
	*minor = (long)b;
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
