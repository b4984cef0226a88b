/* jsonstr.h: JSON string escaping for the few bodies the dispatcher
 * writes itself, so that it links without json-c. */
#ifndef DR_JSONSTR_H
#define DR_JSONSTR_H

#include "buf.h"

/* Append s as a quoted, escaped JSON string; invalid UTF-8 bytes become U+FFFD. */
int dr_json_add_string(struct dr_buf *b, const char *s);

/* Replace invalid UTF-8 bytes and control characters other than tab in s with '?'. */
void dr_utf8_sanitize(char *s);

#endif
