/* libFuzzer harness: the chunked body decoder. The first byte picks the
 * piece size the rest is fed in, so framing split at every place is
 * covered; the decoder must never write past its limit nor take bytes
 * past the end of the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunked.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[DR_HTTP_BODY_MAX];
	struct dr_chunked ch;
	size_t piece, at = 1, used;
	int rc = 0;

	if (size < 1)
		return 0;
	piece = (size_t)data[0] % 17 + 1;
	dr_chunked_init(&ch, out, sizeof out);
	while (at < size && rc == 0) {
		size_t n = size - at < piece ? size - at : piece;
		rc = dr_chunked_feed(&ch, (const char *)data + at, n, &used);
		if (used > n || ch.out_len > sizeof out)
			__builtin_trap();
		at += used;
	}
	if (rc > 1 && !ch.why)
		__builtin_trap(); /* every refusal says why */
	return 0;
}
