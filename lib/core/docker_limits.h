/* docker_limits.h: how long the Docker client waits, in seconds. Apart from
 * docker.h so that the configuration check (libc only) can add them up. */
#ifndef DR_DOCKER_LIMITS_H
#define DR_DOCKER_LIMITS_H

#define DR_DOCKER_CALL_TIMEOUT 60L           /* seconds, ordinary calls */
#define DR_DOCKER_PULL_TIMEOUT 1800L         /* seconds, a whole pull */
#define DR_RETENTION_REMOVALS_MAX 4          /* image removals one deploy makes at most */
/* Engine calls one deploy makes at most: 16 for the deploy itself, and retention's two
 * lists and its removals. */
#define DR_DEPLOY_ENGINE_CALLS_MAX (16 + 2 + DR_RETENTION_REMOVALS_MAX)

#endif
