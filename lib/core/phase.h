/* phase.h: where a request failed, one name per step of the endpoint
 * pipelines. The names are part of the answer ("phase") and of the audit
 * entry (DREICHOR_PHASE); docs/api.md lists them in this order. */
#ifndef DR_PHASE_H
#define DR_PHASE_H

enum dr_phase {
	DR_PHASE_NONE = 0,      /* no failure, or none worth naming */
	DR_PHASE_REQUEST,       /* the HTTP/CGI request or its body */
	DR_PHASE_CONFIG,        /* the agent configuration */
	DR_PHASE_IMAGE_POLICY,  /* the image reference against IMAGE_REPOSITORY */
	DR_PHASE_RUNTIME_ENV,   /* the server-owned runtime env file */
	DR_PHASE_LOCK,          /* the environment's deploy lock */
	DR_PHASE_DOCKER,        /* reaching the Docker engine */
	DR_PHASE_INSPECT,       /* reading what runs now */
	DR_PHASE_EXPECT_CURRENT, /* expect_current_digest against what runs now */
	DR_PHASE_PULL,          /* pulling the image and reading its digest */
	DR_PHASE_DIGEST_PIN,    /* the tag's pinned digest */
	DR_PHASE_SIGNATURE,     /* the digest's signature by IMAGE_SIGNATURE_KEYS */
	DR_PHASE_REPLACE,       /* stopping and removing the old container */
	DR_PHASE_CREATE,        /* creating the new container */
	DR_PHASE_START,         /* starting it */
	DR_PHASE_GRACE,         /* watching it through the startup grace period */
	DR_PHASE_RECORD,        /* writing the deploy record */
	DR_PHASE_RETENTION,     /* removing images beyond KEEP_IMAGES (never a failure) */
	DR_PHASE_STOP,          /* POST /v1/stop: stopping and removing the container */
	DR_PHASE_HISTORY,       /* reading the deploy history */
};

/* The phase's wire name ("image-policy"), or "" for DR_PHASE_NONE. */
const char *dr_phase_name(enum dr_phase phase);

#endif
