/* sigstore_root.c: which trusted root keyless checks use (see sigstore_root.h). */

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sigstore_root.h"

const char *dr_sigstore_root_choose(const char *configured, const char *environment, char *buf, size_t cap)
{
	struct stat st;
	int n;

	if (configured)
		return configured;
	if (!environment || (strcmp(environment, "dev") && strcmp(environment, "prod")))
		return DR_TRUSTED_ROOT;
	n = snprintf(buf, cap, "%s/%s/%s", DR_SIGSTORE_STATE_DIR, environment, DR_SIGSTORE_ROOT_FILE);
	/* The client writes a regular file there: anything else (a link, a FIFO) is not its output. */
	if (n < 0 || (size_t)n >= cap || lstat(buf, &st) || !S_ISREG(st.st_mode))
		return DR_TRUSTED_ROOT;
	return buf;
}
