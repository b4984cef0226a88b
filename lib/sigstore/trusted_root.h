/* trusted_root.h: Sigstore's trusted_root.json (media type
 * application/vnd.dev.sigstore.trustedroot+json;version=0.1 or 0.2) decoded
 * into struct dr_ss_trusted_root (sigstore.h): the transparency logs, the
 * certificate transparency logs, the certificate authorities (Fulcio) and
 * the timestamp authorities, each with its validity window. The text is
 * checked as strict JSON (lib/core/json_strict.h) before json-c reads it;
 * every field is checked against the named limits before it is stored. */
#ifndef DR_SS_TRUSTED_ROOT_H
#define DR_SS_TRUSTED_ROOT_H

#include <stddef.h>

#include "sigstore.h"

/* Read and decode the trusted root at path into out (zeroed first); 0, or -1 with why filled and
 * out left empty. The caller frees out with dr_ss_trusted_root_free. */
int dr_ss_trusted_root_load(const char *path, struct dr_ss_trusted_root *out, char *why, size_t why_cap);

/* Decode len bytes of trusted root text (need not be NUL-terminated); as above. */
int dr_ss_trusted_root_parse(const char *text, size_t len, struct dr_ss_trusted_root *out, char *why, size_t why_cap);

/* Free what a load or parse stored and zero r; safe on a zeroed or freed r. */
void dr_ss_trusted_root_free(struct dr_ss_trusted_root *r);

#endif
