#!/bin/bash
# The tree says what may be linked and read where (docs/architecture.md):
# lib/core is libc and Nettle only and includes no endpoint header; the programs read
# their environment only through dr_env (lib/core/config.c); no module
# writes an HTTP status into a failure (lib/core/error.c maps faults);
# the deploy and plan programs hold no phase bookkeeping and no checks of
# their own (the step table in lib/endpoint/pipeline.c does); outside text
# is masked, cut and made printable in one place (lib/core/mask.c); the
# project's cryptography is Nettle's; every test helper library is in the tarball.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
cd "$top_srcdir" || hard_error "no source tree"

endpoint_headers=$(cd lib/endpoint && ls ./*.h | sed 's|^\./||' | paste -sd'|')
check "lib/core includes no lib/endpoint header" \
	bash -c "! grep -nE '#include \"($endpoint_headers)\"' lib/core/*.[ch]"
check "lib/core includes neither json-c nor libcurl" bash -c "! grep -nE '#include <(json-c|curl)/' lib/core/*.[ch]"
check "getenv only in lib/core/config.c" \
	bash -c "[ \"\$(grep -lw getenv lib/*/*.c cgi/*.c cgi/tools/*.c)\" = lib/core/config.c ]"
check "the programs edit no inherited environment (setenv, unsetenv, putenv)" \
	bash -c "! grep -nwE 'setenv|unsetenv|putenv|clearenv' cgi/*.c cgi/tools/*.c"
check "the dispatcher hands the endpoint an environment it built" grep -q 'execve(program, argv, env.vars)' cgi/agent.c
check "no failure carries an HTTP status (dr_error_set takes a fault)" \
	bash -c "! grep -nE 'dr_error_set\\([^,]+, [0-9]{3}' lib/*/*.c cgi/*.c cgi/tools/*.c"
check "deploy.c and plan.c name no phase and set no error" \
	bash -c "! grep -nE 'DR_PHASE_|dr_error_set|err\\.phase' cgi/deploy.c cgi/plan.c"
check "every endpoint runs its steps through the one runner" \
	bash -c "[ \"\$(grep -lE 'dr_endpoint_steps|dr_pipeline_run' cgi/status.c cgi/stop.c cgi/deploys.c cgi/deploy.c cgi/plan.c | wc -l)\" = 5 ]"
check "one chokepoint: only lib/core/mask.c makes outside text printable or matches secrets" \
	bash -c "[ \"\$(grep -lE 'dr_utf8_char_len' lib/*/*.c cgi/*.c cgi/tools/*.c | paste -sd' ')\" = 'lib/core/jsonstr.c lib/core/mask.c' ]"
check "Docker's health output is stored whole, cut only by dr_text_clean" \
	bash -c "! grep -n 'DR_HEALTH_OUTPUT_MAX' lib/endpoint/docker_json.c"
check "no hand-written digest, RSA or ECDSA: crypto.c calls Nettle" \
	bash -c "[ ! -e lib/core/sha256.c ] && [ ! -e lib/core/rsa.c ] && grep -q '#include <nettle/rsa.h>' lib/core/crypto.c &&
		grep -q '#include <nettle/ecdsa.h>' lib/core/crypto.c"
# A helper library the tests source but make dist leaves out fails only in distcheck, at the end.
undistributed() { local f; for f in t/lib*.sh; do grep -q "$f" Makefile.am || echo "$f"; done; }
check "every test helper library is distributed (EXTRA_DIST)" test -z "$(undistributed)" || log "not distributed: $(undistributed)"
log "cgi/deploy.c: $(wc -l <cgi/deploy.c) lines, cgi/plan.c: $(wc -l <cgi/plan.c) lines"
finish
