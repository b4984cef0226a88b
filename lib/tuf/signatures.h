/* signatures.h: TUF's threshold check. A role's signature counts when its
 * keyid is one the role lists, the key is of a known type (ECDSA P-256 or
 * Ed25519: lib/sigstore/pubkey.h verifies) and it verifies over the
 * canonical bytes of "signed"; each keyid, and each key's public bytes,
 * counts once; a key of another type never counts. Nothing to free. */
#ifndef DR_TUF_SIGNATURES_H
#define DR_TUF_SIGNATURES_H

#include <stddef.h>

#include "metadata.h"

/* How many distinct keys of root's role signed md validly. */
size_t dr_tuf_signatures_count(const struct dr_tuf_metadata *root, enum dr_tuf_role role,
			       const struct dr_tuf_metadata *md);

/* 0 when at least the threshold root sets for role signed md, else -1 with why filled. */
int dr_tuf_signatures_check(const struct dr_tuf_metadata *root, enum dr_tuf_role role,
			    const struct dr_tuf_metadata *md, char *why, size_t why_cap);

#endif
