/* jsonstr.h: JSON string escaping for the few bodies the dispatcher
 * writes itself, so that it links without json-c. */
#ifndef DR_JSONSTR_H
#define DR_JSONSTR_H

#include <stddef.h>

#include "buf.h"

/* Append s as a quoted, escaped JSON string; invalid UTF-8 bytes become U+FFFD. */
int dr_json_add_string(struct dr_buf *b, const char *s);

/* The length of the valid UTF-8 sequence at s (at most avail bytes), or 0 when it is not one. */
size_t dr_utf8_char_len(const unsigned char *s, size_t avail);

/* The offset of the first byte of s (len bytes) that does not begin a valid UTF-8 sequence, or len
 * when all of it is valid: a check of signed text, which is never rewritten. */
size_t dr_utf8_valid_prefix(const unsigned char *s, size_t len);

#endif
