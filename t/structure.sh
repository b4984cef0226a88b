#!/bin/bash
# The tree says what may be linked and read where (docs/architecture.md):
# lib/core is libc and Nettle only and includes no endpoint header; the programs read
# their environment only through dr_env (lib/core/config.c); no module
# writes an HTTP status into a failure (lib/core/error.c maps faults);
# the deploy and plan programs hold no phase bookkeeping and no checks of
# their own (the step table in lib/endpoint/pipeline.c does); outside text
# is masked, cut and made printable in one place (lib/core/mask.c); the
# project's cryptography is Nettle's; no C file calls a function curl's
# checksrc bans, and numbers are parsed in lib/core/number.c alone; every
# test helper library is in the tarball.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
cd "$top_srcdir" || hard_error "no source tree"

endpoint_headers=$(cd lib/endpoint && ls ./*.h | sed 's|^\./||' | paste -sd'|')
check "lib/core includes no lib/endpoint header" \
	bash -c "! grep -nE '#include \"($endpoint_headers)\"' lib/core/*.[ch]"
check "lib/core includes neither json-c nor libcurl" bash -c "! grep -nE '#include <(json-c|curl)/' lib/core/*.[ch]"
check "getenv only in lib/core/config.c" \
	bash -c "[ \"\$(grep -lw getenv lib/*/*.c cgi/*.c cgi/tools/*.c cgi/tools/*/*.c cgi/services/*.c)\" = lib/core/config.c ]"
check "the programs edit no inherited environment (setenv, unsetenv, putenv)" \
	bash -c "! grep -nwE 'setenv|unsetenv|putenv|clearenv' cgi/*.c cgi/tools/*.c cgi/tools/*/*.c cgi/services/*.c"
check "the dispatcher hands the endpoint an environment it built" grep -q 'execve(program, argv, env.vars)' cgi/agent.c
check "no failure carries an HTTP status (dr_error_set takes a fault)" \
	bash -c "! grep -nE 'dr_error_set\\([^,]+, [0-9]{3}' lib/*/*.c cgi/*.c cgi/tools/*.c cgi/tools/*/*.c cgi/services/*.c"
check "deploy.c and plan.c name no phase and set no error" \
	bash -c "! grep -nE 'DR_PHASE_|dr_error_set|err\\.phase' cgi/deploy.c cgi/plan.c"
check "every endpoint runs its steps through the one runner" \
	bash -c "[ \"\$(grep -lE 'dr_endpoint_steps|dr_pipeline_run' cgi/status.c cgi/stop.c cgi/deploys.c cgi/deploy.c cgi/plan.c | wc -l)\" = 5 ]"
check "one chokepoint: only lib/core/mask.c makes outside text printable or matches secrets" \
	bash -c "[ \"\$(grep -lE 'dr_utf8_char_len' lib/*/*.c cgi/*.c cgi/tools/*.c cgi/tools/*/*.c cgi/services/*.c | paste -sd' ')\" = 'lib/core/jsonstr.c lib/core/mask.c' ]"
check "Docker's health output is stored whole, cut only by dr_text_clean" \
	bash -c "! grep -n 'DR_HEALTH_OUTPUT_MAX' lib/endpoint/docker_json.c"
check "the engine's messages and pull errors reach dr_text_clean whole (no fixed buffer before it)" \
	bash -c "! grep -nE 'char (raw|error|message)\\[' lib/endpoint/docker.c lib/endpoint/docker_json.[ch]"
check "no hand-written digest, RSA or ECDSA: crypto.c calls Nettle" \
	bash -c "[ ! -e lib/core/sha256.c ] && [ ! -e lib/core/rsa.c ] && grep -q '#include <nettle/rsa.h>' lib/core/crypto.c &&
		grep -q '#include <nettle/ecdsa.h>' lib/core/crypto.c"
# Banned functions, as curl's checksrc: no bound on what they write (sprintf, strcpy, strcat, gets),
# no report of a bad number (atoi and the rest), or a parser of their own (sscanf, strtok): numbers
# go through lib/core/number.c, the one file that may call strto*.
banned='atoi|atol|atoll|sscanf|sprintf|vsprintf|strcpy|strcat|gets|strtok'
banned_numbers='strtol|strtoll|strtoul|strtoull'
# c_code FILE: its C code, comments and string and character literals blanked, lines kept.
c_code() {
	perl -0777 -pe 's{("(?:\\.|[^"\\\n])*"|\x27(?:\\.|[^\x27\\\n])*\x27)|/\*.*?\*/|//[^\n]*}
		{ my $t = $&; my $q = defined $1 ? q("") : " "; $t =~ s/[^\n]//g; $q . $t }gse' "$1"
}
banned_calls() { # each call as FILE:LINE: the line
	local f words n
	for f in $(find lib cgi -name '*.[ch]' | sort); do
		words="$banned|$banned_numbers"
		[ "$f" = lib/core/number.c ] && words=$banned
		c_code "$f" >"$T/code" || { echo "$f: could not be read"; continue; }
		grep -nE "(^|[^[:alnum:]_.>])($words)[[:space:]]*\(" "$T/code" | cut -d: -f1 |
			while read -r n; do echo "$f:$n: $(sed -n "${n}p" "$f")"; done
	done
}
calls=$(banned_calls)
check "no banned function in lib/ and cgi/ (ato*, sscanf, sprintf, strcpy, strcat, gets, strtok; strto* outside lib/core/number.c)" \
	test -z "$calls" || log "banned calls:"$'\n'"$calls"
# Every step table fits the runner, checked at build time (steps.h's DR_STEPS_FIT after it).
unfit_tables() {
	local f t
	for f in $(grep -rlE 'static const struct dr_step [a-z_]+\[\]' lib cgi t --include='*.c'); do
		for t in $(grep -oE 'static const struct dr_step [a-z_]+\[\]' "$f" | awk '{print $5}' | tr -d '[]'); do
			grep -q "DR_STEPS_FIT($t);" "$f" || echo "$f: $t"
		done
	done
}
check "every step table is followed by DR_STEPS_FIT (a table longer than the runner fails the build)" \
	test -z "$(unfit_tables)" || log "tables without DR_STEPS_FIT: $(unfit_tables)"
# Statuses by name (lib/core/status.h): no HTTP status written as a number outside the HTTP layer
# (lib/core/http.c, chunked.c) and the fault table (error.c). Constants (#define) may be numbers.
status_numbers() { # each as FILE:LINE: the line
	local f n
	for f in $(find lib cgi -name '*.[ch]' | sort); do
		case $f in lib/core/http.c | lib/core/chunked.c | lib/core/error.c | lib/core/status.h) continue ;; esac
		c_code "$f" | sed 's/\[[^]]*\]//g' | grep -nE '(^|[^[:alnum:]_.])(10[01]|20[0-6]|30[0-8]|4[0-2][0-9]|431|50[0-9]|51[01]|524)([^[:alnum:]_.]|$)' |
			grep -vE '^[0-9]+:[[:space:]]*#' | cut -d: -f1 |
			while read -r n; do echo "$f:$n: $(sed -n "${n}p" "$f")"; done
	done
}
numbers=$(status_numbers)
check "HTTP statuses by name outside the HTTP layer (lib/core/status.h)" test -z "$numbers" || log "statuses as numbers:"$'\n'"$numbers"
# A helper library the tests source but make dist leaves out fails only in distcheck, at the end.
undistributed() { local f; for f in t/lib*.sh; do grep -q "$f" Makefile.am || echo "$f"; done; }
check "every test helper library is distributed (EXTRA_DIST)" test -z "$(undistributed)" || log "not distributed: $(undistributed)"
log "cgi/deploy.c: $(wc -l <cgi/deploy.c) lines, cgi/plan.c: $(wc -l <cgi/plan.c) lines"
finish
