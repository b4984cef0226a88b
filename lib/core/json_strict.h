/* json_strict.h: an RFC 8259 check of untrusted JSON text before json-c
 * (which is lenient: single quotes, NaN, duplicate keys) parses it. It
 * names the first problem and where it is. libc only; nothing to free. */
#ifndef DR_JSON_STRICT_H
#define DR_JSON_STRICT_H

#include <stddef.h>

#define DR_JSON_STRICT_KEYS_MAX 64  /* members per object */

/* Check len bytes of text (need not be NUL-terminated) as one JSON value nested at most
 * depth_max deep, with no key twice in an object (names compared as decoded; a name holding NUL or
 * a lone surrogate refused); 0, or -1 with why (a sentence naming the
 * problem and its byte offset) filled. *members_out (may be NULL) gets the number of object
 * members seen, for comparing with what the parser kept. */
int dr_json_strict_check(const char *text, size_t len, int depth_max, size_t *members_out, char *why, size_t why_cap);

/* The same check, and at most values_max values in all (objects, arrays, strings, numbers,
 * literals), so that a parser building a tree of the text stays within a bounded memory whatever
 * its size in bytes; 0, or -1 with why filled. */
int dr_json_strict_check_values(const char *text, size_t len, int depth_max, size_t values_max, char *why,
				size_t why_cap);

/* The same check for text the Docker engine will read (Go's encoding/json, which decodes escapes
 * in names before it matches them, matches names in any case, and turns lone surrogates into
 * U+FFFD): besides the above, every member name is printable ASCII with no escape, no two names
 * of one object are equal ignoring ASCII case, and no string holds a control character, NUL or
 * DEL (raw or escaped) or a lone surrogate escape. 0, or -1 with why filled. */
int dr_json_strict_check_for_go(const char *text, size_t len, int depth_max, char *why, size_t why_cap);

#endif
