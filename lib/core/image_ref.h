/* image_ref.h: image reference parsing and the deploy image policy
 * (docs/api.md, image references). Fixed-size fields; nothing to free. */
#ifndef DR_IMAGE_REF_H
#define DR_IMAGE_REF_H

#include "error.h"

#define DR_IMAGE_REF_MAX 512
#define DR_IMAGE_REPO_MAX 255
#define DR_IMAGE_TAG_MAX 128
#define DR_IMAGE_DIGEST_LEN 71 /* "sha256:" + 64 hex */

struct dr_image_ref {
	char repository[DR_IMAGE_REPO_MAX + 1];
	char tag[DR_IMAGE_TAG_MAX + 1];        /* "" when absent */
	char digest[DR_IMAGE_DIGEST_LEN + 1];  /* "" when absent */
};

/* Check that text is a bare repository name (registry[:port]/path, no tag or digest); 0 or an internal fault. */
int dr_image_repository_check(const char *text, struct dr_error *err);

/* Split text into repository, tag and digest; returns 0 or a policy fault. */
int dr_image_ref_parse(const char *text, struct dr_image_ref *ref, struct dr_error *err);

/* Apply the policy for the environment (dev_allowed: accept X.Y.Z-dev); returns 0 or a policy fault. */
int dr_image_ref_check_policy(const struct dr_image_ref *ref, const char *repository, int dev_allowed,
			      struct dr_error *err);

/* For a reference with both a tag and a digest: 0 when the registry resolves the tag (tag_digest)
 * to that digest, else a conflict naming both. A reference without both is 0. */
int dr_image_ref_check_tag_digest(const struct dr_image_ref *ref, const char *tag_digest, struct dr_error *err);

/* 1 when s is "sha256:" followed by 64 lowercase hex digits. */
int dr_image_digest_valid(const char *s);

#endif
