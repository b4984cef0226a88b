/* libFuzzer harness: the request head parser on arbitrary bytes. */
#include <stdint.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dr_http_request req;

	if (size > DR_HTTP_HEAD_MAX)
		return 0;
	memcpy(req.head, data, size);
	req.head[size] = '\0';
	req.head_len = size;
	if (dr_http_head_parse(&req) == 0) {
		/* An accepted head always has its parts, within the buffer. */
		if (!req.method || !req.path || !req.version || req.path[0] != '/' ||
		    req.content_length > DR_HTTP_BODY_MAX || req.header_count > DR_HTTP_HEADERS_MAX)
			__builtin_trap();
		(void)dr_http_header_get(&req, "CF-Access-Client-Id");
	}
	return 0;
}
