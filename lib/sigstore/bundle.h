/* bundle.h: a Sigstore bundle (bundle.sigstore.json, media types
 * application/vnd.dev.sigstore.bundle+json;version=0.1, 0.2, 0.3 and
 * application/vnd.dev.sigstore.bundle.v0.3+json) decoded into struct
 * dr_ss_bundle (sigstore.h). Strict: text that is not RFC 8259 JSON, an
 * unknown media type or version, base64 that is not canonical standard
 * base64 (line breaks aside: decode.h), a negative log index, an empty certificate chain, a missing
 * required member: all refused here, before any check. Nothing decoded is
 * trusted until verify.c says so. */
#ifndef DR_SS_BUNDLE_H
#define DR_SS_BUNDLE_H

#include <stddef.h>

#include "sigstore.h"

/* Read and decode the bundle at path into out (zeroed first); 0, or -1 with why filled and out
 * left empty. The caller frees out with dr_ss_bundle_free. */
int dr_ss_bundle_load(const char *path, struct dr_ss_bundle *out, char *why, size_t why_cap);

/* Decode len bytes of bundle text (need not be NUL-terminated); as above. */
int dr_ss_bundle_parse(const char *text, size_t len, struct dr_ss_bundle *out, char *why, size_t why_cap);

/* Free what a load or parse stored and zero b; safe on a zeroed or freed b. */
void dr_ss_bundle_free(struct dr_ss_bundle *b);

#endif
