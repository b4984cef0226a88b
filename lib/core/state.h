/* state.h: per-environment state files under STATE_DIRECTORY: the
 * tag-to-digest pins and the record of the last successful deploy. */
#ifndef DR_STATE_H
#define DR_STATE_H

#include <stddef.h>

#include "error.h"

#define DR_STATE_PIN_DIR "pins"
#define DR_STATE_RECORD "last-deploy.json"
#define DR_STATE_RECORD_MAX 16384

/* Compare digest with the pin of tag, writing the pin when there is none; 0, a conflict or an internal fault. */
int dr_state_pin_check(const char *state_dir, const char *tag, const char *digest, struct dr_error *err);

/* Compare digest with the pin of tag without writing; 0 (also when there is no pin yet), a conflict or an internal fault. */
int dr_state_pin_compare(const char *state_dir, const char *tag, const char *digest, struct dr_error *err);

/* Replace name in dir with data atomically (temp file, fsync, rename); 0 or an internal fault. */
int dr_state_write_atomic(const char *dir, const char *name, const char *data, size_t len, struct dr_error *err);

/* The same; without durable, no fsync (readers see the rename; a crash may keep the older file). */
int dr_state_replace(const char *dir, const char *name, const char *data, size_t len, int durable,
		     struct dr_error *err);

/* Read the last deploy record; returns a malloc'd string the caller frees, or NULL. */
char *dr_state_read_record(const char *state_dir);

#endif
