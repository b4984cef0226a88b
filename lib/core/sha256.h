/* sha256.h: SHA-256 (FIPS 180-4), for checking RS256 signatures without
 * a crypto library in the dispatcher. libc only; nothing to free. */
#ifndef DR_SHA256_H
#define DR_SHA256_H

#include <stddef.h>

#define DR_SHA256_LEN 32

/* The SHA-256 digest of len bytes of data into out. */
void dr_sha256(const void *data, size_t len, unsigned char out[DR_SHA256_LEN]);

#endif
