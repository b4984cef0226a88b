/* verify_bundle.h: dreichor-registry verify-bundle, the command line of
 * sigstore-conformance's docs/cli_protocol.md (see verify_bundle.c). */
#ifndef DR_VERIFY_BUNDLE_H
#define DR_VERIFY_BUNDLE_H

/* Run "verify-bundle ARGS..." (argv[0] is "verify-bundle"): 0 verified, 1 refused (one line on
 * stderr), 2 usage. */
int dr_verify_bundle_main(int argc, char **argv);

#endif
