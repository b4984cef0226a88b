/* percent.h: URL percent-decoding (RFC 3986), as libpq applies it to a
 * connection URI. libc only; the caller owns both buffers. */
#ifndef DR_PERCENT_H
#define DR_PERCENT_H

#include <stddef.h>

/* Decode len bytes of in into out (cap bytes, NUL-terminated, cut at cap - 1); a '%' not
 * followed by two hex digits stays as it is. Returns the decoded length. */
size_t dr_percent_decode(const char *in, size_t len, char *out, size_t cap);

#endif
