/* phase.c: the wire names of the phases. */

#include "phase.h"

static const char *const phase_names[] = {
	[DR_PHASE_NONE] = "",
	[DR_PHASE_REQUEST] = "request",
	[DR_PHASE_CONFIG] = "config",
	[DR_PHASE_IMAGE_POLICY] = "image-policy",
	[DR_PHASE_RUNTIME_ENV] = "runtime-env",
	[DR_PHASE_LOCK] = "lock",
	[DR_PHASE_DOCKER] = "docker",
	[DR_PHASE_INSPECT] = "inspect",
	[DR_PHASE_EXPECT_CURRENT] = "expect-current",
	[DR_PHASE_PULL] = "pull",
	[DR_PHASE_DIGEST_PIN] = "digest-pin",
	[DR_PHASE_SIGNATURE] = "signature",
	[DR_PHASE_REPLACE] = "replace",
	[DR_PHASE_CREATE] = "create",
	[DR_PHASE_START] = "start",
	[DR_PHASE_GRACE] = "grace",
	[DR_PHASE_RECORD] = "record",
	[DR_PHASE_RETENTION] = "retention",
	[DR_PHASE_STOP] = "stop",
	[DR_PHASE_HISTORY] = "history",
};

const char *dr_phase_name(enum dr_phase phase)
{
	if ((unsigned)phase >= sizeof phase_names / sizeof phase_names[0])
		return "";
	return phase_names[phase];
}
