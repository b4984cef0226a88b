/* number.h: whole numbers from untrusted text (configuration, headers, /proc, the engine's answers). */
#ifndef DR_NUMBER_H
#define DR_NUMBER_H

#include <stddef.h>

/* Parse a decimal integer (digits only, at most 18) in [min, max] into out; returns 0 or -1. */
int dr_parse_long(const char *text, long min, long max, long *out);

/* Parse the len bytes at text as digits of base 10 or 16 only (no sign, prefix or blank; either
 * case) in [0, max] into out; returns 0 or -1 (also when len is 0 or the value overflows). */
int dr_parse_unsigned(const char *text, size_t len, unsigned base, unsigned long long max, unsigned long long *out);

#define DR_VERSION_PART_MAX 99999 /* the largest MAJOR or MINOR of a version */

/* Parse a version "MAJOR.MINOR" (decimal digits only on either side of the one dot) into major and
 * minor; returns 0 or -1. */
int dr_parse_version(const char *text, long *major, long *minor);

/* The value of one hexadecimal digit (either case), or -1. */
int dr_hex_digit(char c);

#endif
