/* libFuzzer harness: image reference parsing and the image policy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_image_ref ref;
	struct dr_error err;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (dr_image_ref_parse(text, &ref, &err) == 0) {
		dr_image_ref_check_policy(&ref, "ghcr.io/ceerkle/dreichor-trading/runtime", 1, &err);
		dr_image_ref_check_policy(&ref, ref.repository, 0, &err);
	}
	dr_image_repository_check(text, &err);
	free(text);
	return 0;
}
