/* libFuzzer harness: the deploy body parser and the env reconciliation. */
#include <stdint.h>
#include <string.h>

#include "deploy_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char level[] = "info", plane[] = "paper";
	struct dr_runtime_env runtime = { { 0 } };
	struct dr_deploy_request req;
	struct dr_error err;

	runtime.values[DR_RT_LOG_LEVEL] = level;
	runtime.values[DR_RT_EXECUTION_PLANE] = plane;
	if (dr_deploy_request_parse(&req, (const char *)data, size, "dev", &err) == 0) {
		if (!req.image)
			__builtin_trap();
		dr_deploy_request_check_env(&req, &runtime, &err);
	} else if (err.fault != DR_FAULT_BAD_REQUEST && err.fault != DR_FAULT_INTERNAL) {
		__builtin_trap();
	}
	dr_deploy_request_free(&req);
	return 0;
}
