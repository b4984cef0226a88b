/* libFuzzer harness: the runtime env file parser and validator. */
#include <stdint.h>

#include "runtime_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_runtime_env env = { { 0 } };
	struct dr_problems problems = { 0 };

	if (size > DR_RUNTIME_FILE_MAX)
		return 0;
	dr_runtime_env_parse(&env, (const char *)data, size, &problems);
	dr_runtime_env_validate(&env, DR_ENV_DEV, "paper", &problems);
	dr_runtime_env_validate(&env, DR_ENV_PROD, "paper", &problems);
	dr_runtime_env_free(&env);
	return 0;
}
