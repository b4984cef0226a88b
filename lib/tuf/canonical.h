/* canonical.h: TUF's canonical JSON (securesystemslib's, after OLPC) of a
 * json-c value, the bytes a TUF signature is over: object members sorted
 * by the bytes of their names, no whitespace, strings with only '"' and
 * '\' escaped (every other byte, a newline too, written as it is),
 * integers only (a number with a fraction or an exponent is refused),
 * true, false and null. The caller owns the value and the buffer. */
#ifndef DR_TUF_CANONICAL_H
#define DR_TUF_CANONICAL_H

#include <json-c/json.h>

#include "buf.h"

#define DR_TUF_CANONICAL_DEPTH 16 /* nesting of one metadata document */

/* Append the canonical JSON of v to out; 0, or -1 (a double, nesting past
 * DR_TUF_CANONICAL_DEPTH, an integer json-c clamped, or out full). */
int dr_tuf_canonical(json_object *v, struct dr_buf *out);

#endif
