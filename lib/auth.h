/* auth.h: the Cloudflare Access service-token check done before routing. */
#ifndef DR_AUTH_H
#define DR_AUTH_H

#include <stddef.h>

#include "config.h"
#include "http.h"

/* 1 when a and b are equal, in time that depends only on their lengths' maximum. */
int dr_auth_equal(const char *a, size_t alen, const char *b, size_t blen);

/* Check CF-Access-Client-Id and -Secret; returns 0, 401 (missing) or 403 (wrong), reason set. */
int dr_auth_check(const struct dr_http_request *req, const struct dr_config *cfg, struct dr_error *err);

#endif
