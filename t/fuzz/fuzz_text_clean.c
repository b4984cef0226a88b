/* libFuzzer harness: the chokepoint for outside text. The input's first line is a
 * DATABASE_URL, the rest the text; the cleaned text must hold no control character but
 * tab, and never the password as it is spelled in the URL (when it is long enough not
 * to occur by chance and is not made of what masking writes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t url_len = nl ? (size_t)(nl - (const char *)data) : 0;
	char *url = malloc(url_len + 1);
	struct dr_mask m;
	struct dr_buf out;

	if (!url || !nl) {
		free(url);
		return 0;
	}
	memcpy(url, data, url_len);
	url[url_len] = '\0';
	dr_mask_init_database_url(&m, url);
	dr_buf_init(&out, 1 << 20);
	if (!dr_text_clean(&m, nl + 1, size - url_len - 1, 256, 0, &out)) {
		if (out.len > 256)
			abort();
		for (size_t i = 0; i < out.len; i++)
			if ((unsigned char)out.data[i] < 0x20 && out.data[i] != '\t')
				abort();
		for (int i = 0; i < m.count; i++)
			if (strlen(m.secrets[i]) >= 8 && !strpbrk(m.secrets[i], "*?") && strstr(dr_buf_str(&out), m.secrets[i]))
				abort();
	}
	dr_buf_free(&out);
	dr_mask_free(&m);
	free(url);
	return 0;
}
