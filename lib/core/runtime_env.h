/* runtime_env.h: the server-owned runtime environment file
 * (docs/configuration.md): exactly ten KEY=VALUE variables, each with its rule. The
 * struct owns copies of the values; dr_runtime_env_free wipes them. */
#ifndef DR_RUNTIME_ENV_H
#define DR_RUNTIME_ENV_H

#include <stddef.h>

#include "config.h"
#include "error.h"

#define DR_RUNTIME_VARS 10
#define DR_RUNTIME_FILE_MAX 65536
#define DR_RUNTIME_LINE_MAX 4096

enum dr_runtime_var {
	DR_RT_RUNTIME_INSTANCE_ID,
	DR_RT_LOGICAL_TIME_SOURCE,
	DR_RT_EXECUTION_PLANE,
	DR_RT_EXCHANGE_PROVIDER,
	DR_RT_SAFETY_MODE,
	DR_RT_PERSISTENCE_MODE,
	DR_RT_SNAPSHOT_STRATEGY,
	DR_RT_ENABLE_AUDIT_LOGGING,
	DR_RT_DATABASE_URL,
	DR_RT_LOG_LEVEL,
};

struct dr_runtime_env {
	char *values[DR_RUNTIME_VARS]; /* owned; NULL while missing */
};

/* The variable names, indexed by enum dr_runtime_var. */
extern const char *const dr_runtime_var_names[DR_RUNTIME_VARS];

/* Index of name among the ten, or -1. */
int dr_runtime_var_index(const char *name);

/* Parse KEY=VALUE text (len bytes) into env; syntax problems go to p. */
void dr_runtime_env_parse(struct dr_runtime_env *env, const char *text, size_t len, struct dr_problems *p);

/* Check every rule for the environment and allowed plane; problems go to p. */
void dr_runtime_env_validate(const struct dr_runtime_env *env, enum dr_environment e, const char *allowed_plane,
			     struct dr_problems *p);

/* Read, parse and validate the file at path; returns the number of problems. */
int dr_runtime_env_load(struct dr_runtime_env *env, const char *path, enum dr_environment e,
			const char *allowed_plane, struct dr_problems *p);

/* Wipe and free the values; accepts NULL. */
void dr_runtime_env_free(struct dr_runtime_env *env);

#endif
