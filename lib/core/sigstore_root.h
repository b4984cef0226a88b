/* sigstore_root.h: which Sigstore trusted root keyless checks use. With
 * SIGSTORE_TRUSTED_ROOT unset, an environment uses the root
 * dreichor-sigstore-root keeps current for it (the TUF client's output,
 * DR_SIGSTORE_STATE_DIR/<env>/trusted_root.json) once one is written, else
 * the copy the package installs (DR_TRUSTED_ROOT). What the client's
 * record says of a root is sigstore_refresh.h's. libc only; nothing to
 * free. */
#ifndef DR_SIGSTORE_ROOT_H
#define DR_SIGSTORE_ROOT_H

#include <stddef.h>

#ifndef DR_TRUSTED_ROOT
#define DR_TRUSTED_ROOT "/usr/share/dreichor-agent/trusted_root.json"
#endif
#ifndef DR_SIGSTORE_STATE_DIR
#define DR_SIGSTORE_STATE_DIR "/var/lib/dreichor-sigstore"
#endif

#define DR_SIGSTORE_ROOT_FILE "trusted_root.json"
#define DR_SIGSTORE_PATH_MAX 4096 /* bytes of a trusted root's path with its NUL */

/* The trusted root to use: configured when set, else the environment's refreshed one when it
 * exists, else the package's. Returns configured, buf (cap bytes) or the package's path. */
const char *dr_sigstore_root_choose(const char *configured, const char *environment, char *buf, size_t cap);

#endif
