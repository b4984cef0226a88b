/* current.c: reading the environment's container and its image digest from the engine. */

#include "current.h"

int dr_current_read(struct dr_docker *d, const char *container_name, struct dr_current *out, struct dr_error *err)
{
	static struct dr_container_state state; /* large (health outputs kept raw) and read once a run */
	char repository[DR_IMAGE_REPO_MAX + 1], digest[DR_DOCKER_DIGEST_MAX] = "";
	struct dr_error ignored;
	int rc = dr_docker_container_state(d, container_name, &state, err);

	/* An image inspect that fails leaves the digest unknown: what runs is still known. */
	if (!rc && dr_current_wants_image_digest(&state, repository) &&
	    dr_docker_image_digest(d, state.image_id, repository[0] ? repository : NULL, NULL, digest, &ignored))
		digest[0] = '\0';
	dr_current_decide(out, rc ? NULL : &state, digest);
	return rc == DR_FAULT_ABSENT ? 0 : rc;
}
