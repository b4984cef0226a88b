/* signer.h: who signed an image keyless (CONTRACT 10.1), as the deploy
 * answer, plan, history and audit entry name it: the certificate's
 * identity, issuer, source repository, commit and workflow run, and what
 * proved the time (a transparency log entry or an RFC 3161 timestamp).
 * Plain bytes, filled by lib/endpoint/signer_json.c from dreichor-registry's
 * answer, the text already cleaned there (mask.h). Nothing to free. */
#ifndef DR_SIGNER_H
#define DR_SIGNER_H

#include "config.h"

#define DR_SIGNER_FIELD_MAX 512 /* bytes of a repository or run URL with its NUL */
#define DR_SIGNER_COMMIT_MAX 64 /* bytes of a commit with its NUL (a SHA-256 hex is 64: cut to 63) */
#define DR_SIGNER_TIME_MAX 32   /* "2026-12-07T18:00:00Z" */
#define DR_SIGNER_PROOF_MAX 96  /* "log index 123456789 at 2026-12-07T18:00:00Z" */

struct dr_signer {
	char identity[DR_SIGNATURE_IDENTITY_MAX + 1];
	char issuer[DR_SIGNATURE_ISSUER_MAX + 1];
	char source_repository[DR_SIGNER_FIELD_MAX];
	char source_commit[DR_SIGNER_COMMIT_MAX];
	char run_url[DR_SIGNER_FIELD_MAX];
	long long log_index;                /* -1: no log entry proved the time */
	char time_source[16];               /* "tlog" or "timestamp" */
	char verified_at[DR_SIGNER_TIME_MAX]; /* the proven time, RFC 3339 UTC */
	char proof[DR_SIGNER_PROOF_MAX];    /* the two above for a person: the audit's DREICHOR_SIGNATURE_PROOF */
};

#endif
