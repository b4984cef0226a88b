#!/bin/bash
# A differential corpus against dev's Docker gate and the real engine
# behind it (t/gate_corpus.py): over a hundred hostile create bodies and
# filters (every escape spelling of the names the gate reads, case
# variants, NUL and control characters, names Go folds onto ASCII,
# duplicates at each depth, unknown nested members, numbers as strings,
# huge numbers, deep nesting, JSON extensions), each judged by what the
# engine did: a container it made is inspected against the container
# contract, a list or event stream dev received must hold nothing of prod's.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

need_cmd python3
start_journald
start_dockerd
start_registry
make_image 1.0.0 "echo image 1.0.0; $RUNTIME_SCRIPT"
setup_env dev
start_gate dev
DIGEST=$(registry_digest 1.0.0)
# Prod's container and its events, and dev's own, for the filters to reach for.
docker_cli pull "$IMAGE_REPOSITORY@$DIGEST" >/dev/null 2>&1 || hard_error "pull failed"
docker_cli run -d --name dreichor-runtime-prod --network none "$IMAGE_REPOSITORY@$DIGEST" >/dev/null
docker_cli import "$T/rootfs.tar" other/image:1 >/dev/null
docker_cli create --name dreichor-runtime-dev --network none "$IMAGE_REPOSITORY@$DIGEST" >/dev/null
docker_cli rm dreichor-runtime-dev >/dev/null

python3 "$top_srcdir/t/gate_corpus.py" "$T/dev/gate.sock" "$DOCKER_SOCK" "$IMAGE_REPOSITORY@$DIGEST" \
	"$T/dev/volumes/audit-events:/var/lib/dreichor/audit-events" "$T/dev/volumes/snapshots:/var/lib/dreichor/snapshots" \
	"$T/dev/runtime.env" >"$T/corpus.out" 2>&1
cat "$T/corpus.out" >&2
check "the corpus ran to its end" grep -q '^cases=' "$T/corpus.out"
check "at least 100 hostile requests" test "$(sed -n 's/^cases=\([0-9]*\).*/\1/p' "$T/corpus.out")" -ge 100
check "none did harm: every one refused, or what the engine made or answered is within dev's" \
	grep -q '^cases=[0-9]* harmful=0$' "$T/corpus.out"
check "the engine still runs prod's container, untouched" \
	test "$(docker_cli inspect -f '{{.State.Running}}' dreichor-runtime-prod)" = true
check "dev's allowed create still goes through (the corpus did not just refuse everything)" \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --unix-socket '$T/dev/gate.sock' -H 'Content-Type: application/json' \
		--data-binary @- 'http://docker/v1.41/containers/create?name=dreichor-runtime-dev')\" = 201 ]" <<<"$(jq -cn \
		--arg img "$IMAGE_REPOSITORY@$DIGEST" --arg a "$T/dev/volumes/audit-events:/var/lib/dreichor/audit-events" \
		--arg s "$T/dev/volumes/snapshots:/var/lib/dreichor/snapshots" \
		--argjson env "$( (grep -E '^[A-Z_]+=' "$T/dev/runtime.env"; echo ENVIRONMENT=dev) | jq -R . | jq -cs .)" \
		'{Image: $img, Env: $env, HostConfig: {Binds: [$a, $s], RestartPolicy: {Name: "unless-stopped"}, NetworkMode: "none"}}')"
finish
