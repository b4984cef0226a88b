#!/bin/bash
# dreichor-agent --check-config against the shipped example files: they
# pass once their paths exist, they refuse each other's values, and every
# problem is one line on stderr.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

# Copy the examples with /opt/dreichor moved under $T, create their paths,
# and give the secret as the systemd credential, as the units do.
for env in dev prod; do
	mkdir -p "$T/opt/dreichor/$env/volumes/audit-events" "$T/opt/dreichor/$env/volumes/snapshots" \
		"$T/opt/dreichor/$env/deploy-agent" "$T/state-$env" "$T/creds-$env"
	sed -e "s|/opt/dreichor|$T/opt/dreichor|g" -e "s|/etc/dreichor|$T/etc/dreichor|g" "$top_srcdir/envs/$env/agent.env" \
		>"$T/opt/dreichor/$env/deploy-agent/.env"
	mkdir -p "$T/etc/dreichor/$env"
	cp "$top_srcdir/envs/$env/runtime.env" "$T/opt/dreichor/$env/deploy-agent/runtime.env"
	printf 'secret-%s-0123456789abcdef0123456789abcdef\n' "$env" >"$T/creds-$env/cf-access-client-secret"
done

# check_config ENV-FILE STATE CREDS [VAR=VALUE...]: run it (under the command CHECK_UNDER, when
# set); sets RC, OUT, ERR.
check_config() {
	local file=$1 state=$2 creds=$3; shift 3
	(
		set -a
		. "$file"
		STATE_DIRECTORY=$state
		CREDENTIALS_DIRECTORY=$creds
		for kv in "$@"; do export "${kv?}"; done
		exec ${CHECK_UNDER:-} "$top_builddir/dreichor-agent" --check-config
	) >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
DEV=$T/opt/dreichor/dev/deploy-agent
PROD=$T/opt/dreichor/prod/deploy-agent

check_config "$DEV/.env" "$T/state-dev" "$T/creds-dev"
check "dev example passes" test "$RC" = 0 -a -z "$ERR"
check "dev example says which environment" test "$(tail -1 <<<"$OUT")" = "configuration valid for dev"
check "... and that Docker is reached through dev's gate, what it lets through" \
	grep -q "^docker: through the dev Docker gate /run/dreichor-docker-dev.sock, which lets this agent reach only the container dreichor-runtime-dev " <<<"$OUT"
check_config "$DEV/.env" "$T/state-dev" "$T/creds-dev" DOCKER_HOST=unix:///run/docker.sock
check "DOCKER_HOST naming the engine itself is said to be the whole engine" \
	grep -qx "docker: /run/docker.sock, not the dev Docker gate of the units (/run/dreichor-docker-dev.sock): the agent may do there whatever that socket allows (the engine's own socket is the whole engine)" <<<"$OUT"
# Prod's image signature keys, as cosign generate-key-pair writes the public one.
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl ec -pubout 2>/dev/null >"$T/etc/dreichor/prod/image-signature-keys.pem"
FINGERPRINT=sha256:$(openssl pkey -pubin -in "$T/etc/dreichor/prod/image-signature-keys.pem" -outform DER | sha256sum | cut -d' ' -f1)
check_config "$PROD/.env" "$T/state-prod" "$T/creds-prod"
check "prod example passes" test "$RC" = 0 -a -z "$ERR"
check "... naming its image signature key by fingerprint" grep -qx "image signature key 1: $FINGERPRINT" <<<"$OUT"
check_config "$PROD/.env" "$T/state-prod" "$T/creds-prod" IMAGE_SIGNATURE_KEYS=
check "prod without IMAGE_SIGNATURE_KEYS fails, saying how to opt out" \
	grep -q '^IMAGE_SIGNATURE_KEYS: required in prod .*IMAGE_SIGNATURES=off' "$T/err"
check_config "$PROD/.env" "$T/state-prod" "$T/creds-prod" IMAGE_SIGNATURE_KEYS= IMAGE_SIGNATURES=off
check "... and passes with IMAGE_SIGNATURES=off" test "$RC" = 0 -a -z "$ERR"
check_config "$PROD/.env" "$T/state-prod" "$T/creds-prod" IMAGE_SIGNATURES=sometimes
check "IMAGE_SIGNATURES other than required or off fails" grep -q '^IMAGE_SIGNATURES: must be required or off' "$T/err"
printf 'garbage\n-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' >"$T/bad-keys.pem"
check_config "$PROD/.env" "$T/state-prod" "$T/creds-prod" IMAGE_SIGNATURE_KEYS="$T/bad-keys.pem"
check "a key that is not a P-256 SubjectPublicKeyInfo fails, naming the file and the key" \
	grep -q "^IMAGE_SIGNATURE_KEYS $T/bad-keys.pem key 1: not a DER SubjectPublicKeyInfo" "$T/err"

# The dev agent with the prod runtime file, and the other way round.
check_config "$DEV/.env" "$T/state-dev" "$T/creds-dev" RUNTIME_ENV_FILE="$PROD/runtime.env"
check "dev agent refuses the prod runtime env" test "$RC" != 0
check "... naming DATABASE_URL" grep -q 'DATABASE_URL: database must be dreichor_dev' "$T/err"
check "... never printing the database password" bash -c "! grep -q change-me '$T/err'"
check_config "$PROD/.env" "$T/state-prod" "$T/creds-prod" RUNTIME_ENV_FILE="$DEV/runtime.env"
check "prod agent refuses the dev runtime env" test "$RC" != 0
check "... naming LOG_LEVEL debug" grep -q 'LOG_LEVEL: debug is not allowed in prod' "$T/err"
check "... and DATABASE_URL" grep -q 'DATABASE_URL: database must be dreichor_prod' "$T/err"

# The dev agent file relabelled prod: port, name and dev paths all refused.
check_config "$DEV/.env" "$T/state-prod" "$T/creds-prod" ENVIRONMENT=prod RUNTIME_ENV_FILE="$PROD/runtime.env"
check "dev agent file with ENVIRONMENT=prod fails" test "$RC" != 0
check "... PORT" grep -q '^PORT: must be 3006 for prod' "$T/err"
check "... CONTAINER_NAME" grep -q '^CONTAINER_NAME: must be exactly dreichor-runtime-prod' "$T/err"
check "... AUDIT_EVENTS_PATH names dev" grep -q '^AUDIT_EVENTS_PATH: path names the other environment (dev)' "$T/err"
check "... SNAPSHOTS_PATH names dev" grep -q '^SNAPSHOTS_PATH: path names the other environment (dev)' "$T/err"
check_config "$PROD/.env" "$T/state-dev" "$T/creds-prod"
check "prod agent with a dev-named state directory fails" grep -q '^STATE_DIRECTORY: path names the other environment (dev)' "$T/err"

# One line per problem; no secret value anywhere.
check_config "$DEV/.env" "$T/state-dev" "$T/creds-dev" DOCKER_HOST=tcp://127.0.0.1:2375 STOP_TIMEOUT_SECONDS=soon ALLOW_EXECUTION_PLANE=live
check "four problems (three agent, one runtime), four lines" test "$(wc -l <"$T/err")" = 4
check "... ALLOW_EXECUTION_PLANE" grep -q '^ALLOW_EXECUTION_PLANE: must be paper' "$T/err"
check "... DOCKER_HOST" grep -q '^DOCKER_HOST: must be unix://' "$T/err"
check "... STOP_TIMEOUT_SECONDS" grep -q '^STOP_TIMEOUT_SECONDS: must be a whole number' "$T/err"
check "... ALLOW_EXECUTION_PLANE and the runtime EXECUTION_PLANE" grep -q 'EXECUTION_PLANE: must equal ALLOW_EXECUTION_PLANE' "$T/err"
check "exit status is non-zero" test "$RC" != 0
check "no secret printed" bash -c "! grep -q secret-dev '$T/err' '$T/out'"

# The units' DREICHOR_LANDLOCK=on on a kernel that cannot apply the ruleset: every request would be
# answered 500, so the check fails and says what to do. "Cannot", for real: a seccomp filter (a
# helper built here) makes landlock_create_ruleset (444 on every architecture) fail as such a kernel
# does: ENOSYS without Landlock built in, EOPNOTSUPP with it left out of lsm=, and EPERM as a
# system call filter that does not allow it.
command -v cc >/dev/null || hard_error "cc is needed to build the seccomp helper"
cc -O1 -Wall -Werror -o "$T/syscall-fails" -x c - <<'HELPER' || hard_error "cannot build the seccomp helper"
/* syscall-fails NR ERRNO PROGRAM [ARG...]: run PROGRAM with system call NR failing with ERRNO. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof filter / sizeof *filter, filter };

	if (argc < 4)
		return 100;
	filter[1].k = (unsigned)strtoul(argv[1], NULL, 10);
	filter[2].k |= (unsigned)strtoul(argv[2], NULL, 10) & SECCOMP_RET_DATA;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("syscall-fails: seccomp");
		return 111;
	}
	execv(argv[3], argv + 3);
	perror("syscall-fails: exec");
	return 111;
}
HELPER
python3 -c 'import ctypes; l = ctypes.CDLL(None); exit(0 if l.syscall(444, None, 0, 1) > 0 else 1)' ||
	hard_error "this kernel offers no Landlock: the passing case below cannot be shown"
check_config "$DEV/.env" "$T/state-dev" "$T/creds-dev" DREICHOR_LANDLOCK=on
check "DREICHOR_LANDLOCK=on where the kernel applies it: passes, saying so" \
	bash -c '[ "$1" = 0 ] && grep -q "^landlock: the ruleset applies" <<<"$2"' _ "$RC" "$OUT"
for e in "38|ENOSYS|kernel offers no Landlock" "95|EOPNOTSUPP|kernel offers no Landlock" \
	"1|EPERM|Landlock ruleset could not be applied"; do
	IFS='|' read -r errno name says <<<"$e"
	CHECK_UNDER="$T/syscall-fails 444 $errno" check_config "$DEV/.env" "$T/state-dev" "$T/creds-dev" DREICHOR_LANDLOCK=on
	check "landlock_create_ruleset failing with $name: exit 1, not valid" \
		bash -c '[ "$1" = 1 ] && ! grep -q "configuration valid" <<<"$2"' _ "$RC" "$OUT"
	check "... one line: $says, every request 500, what to do" grep -qx \
		"DREICHOR_LANDLOCK=on, but the $says: every request would be answered 500. Boot a kernel with Landlock enabled (lsm= including landlock), or set DREICHOR_LANDLOCK=off in a drop-in, which leaves the agent without its file system confinement (docs/operations.md)" \
		<<<"$ERR"
done
CHECK_UNDER="$T/syscall-fails 444 38" check_config "$DEV/.env" "$T/state-dev" "$T/creds-dev" DREICHOR_LANDLOCK=off
check "... and with DREICHOR_LANDLOCK=off the same kernel passes" test "$RC" = 0 -a -z "$ERR"
# What the check foretold: a request on that kernel is answered 500, naming the cause.
(
	set -a
	. "$DEV/.env"
	STATE_DIRECTORY=$T/state-dev CREDENTIALS_DIRECTORY=$T/creds-dev DREICHOR_LANDLOCK=on
	printf 'GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n' |
		exec "$T/syscall-fails" 444 38 "$top_builddir/dreichor-agent"
) >"$T/answer" 2>/dev/null
check "... where a request is answered 500 naming it" bash -c \
	'head -1 "$1" | grep -q "^HTTP/1.1 500 " && grep -q "kernel offers no Landlock" "$1"' _ "$T/answer"

# Unknown runtime keys are typos, and are refused.
printf 'LOG_LVEL=info\n' >>"$DEV/runtime.env"
check_config "$DEV/.env" "$T/state-dev" "$T/creds-dev"
check "unknown runtime key refused" grep -q 'LOG_LVEL: unknown runtime variable' "$T/err"

# Usage errors are exit 100.
"$top_builddir/dreichor-agent" --no-such-flag 2>/dev/null
check "unknown flag: exit 100" test $? = 100

finish
