/* number.h: whole numbers from untrusted text (configuration, headers). */
#ifndef DR_NUMBER_H
#define DR_NUMBER_H

/* Parse a decimal integer (digits only, at most 18) in [min, max] into out; returns 0 or -1. */
int dr_parse_long(const char *text, long min, long max, long *out);

/* The value of one hexadecimal digit (either case), or -1. */
int dr_hex_digit(char c);

#endif
