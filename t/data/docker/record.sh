#!/bin/bash
# Record the Docker Engine API answers t/test_docker_json.c decodes and
# t/test_decide.c decides over, from a private dockerd and docker-registry
# (t/lib-infra.sh), into this folder:
#   bash t/data/docker/record.sh            (as root, from the source tree)
#   bash t/data/docker/record.sh grace retention   (only those parts, below)
# The recordings are committed; run this again when the engine changes.
set -u
top_srcdir=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top_srcdir/t/lib.sh"
out=$top_srcdir/t/data/docker
api() { curl -s --unix-socket "$DOCKER_SOCK" "$@"; }
# fix_digest TAG DIGIT FILE...: IMAGE_REPOSITORY:TAG's digest (new at every recording) made DIGIT
# 64 times in FILEs, so that a test can name it.
fix_digest() {
	local tag=$1 digit=$2 digest; shift 2
	digest=$(api "http://d/v$v/distribution/$IMAGE_REPOSITORY:$tag/json" | jq -r .Descriptor.digest)
	sed -i "s|$digest|sha256:$(printf "$digit%.0s" $(seq 64))|g" "$@"
}
# The grace watch's and current's answers: a container as the agent makes it (its labels) with no
# HEALTHCHECK, one whose HEALTHCHECK has not reported yet, and one that exits 3 and then 5 on
# each restart (inspect shows the last exit; the die events, asked as the agent asks, the first).
record_grace() {
	make_image 5.0.0 'echo started; exec sleep 3600'
	docker_cli pull -q "$IMAGE_REPOSITORY:5.0.0" >/dev/null
	docker_cli run -d --network none --name running --label dreichor.environment=dev \
		--label "dreichor.image=$IMAGE_REPOSITORY:5.0.0" --label dreichor.request-id=recorded \
		--label "dreichor.image-digest=$(api "http://d/v$v/distribution/$IMAGE_REPOSITORY:5.0.0/json" | jq -r .Descriptor.digest)" \
		"$IMAGE_REPOSITORY:5.0.0" >/dev/null
	docker_cli run -d --network none --name starting --health-cmd 'echo ok' --health-interval 1h \
		"$IMAGE_REPOSITORY:5.0.0" >/dev/null
	local since; since=$(date +%s)
	docker_cli run -d --network none --name exit-hidden --restart on-failure:2 "$IMAGE_REPOSITORY:5.0.0" \
		sh -c 'echo attempt; [ -e /exited-once ] && exit 5; : >/exited-once; exit 3' >/dev/null
	wait_for 30 sh -c "curl -s --unix-socket '$DOCKER_SOCK' http://d/v$v/containers/exit-hidden/json |
		jq -e '.State.Status == \"exited\" and .RestartCount == 2' >/dev/null" || hard_error "exit-hidden did not settle"
	api "http://d/v$v/containers/running/json" >"$out/container-running.json"
	api "http://d/v$v/containers/starting/json" >"$out/container-starting.json"
	api "http://d/v$v/containers/exit-hidden/json" >"$out/container-exit-hidden.json"
	api -G "http://d/v$v/events" --data-urlencode "since=$since" --data-urlencode "until=$(($(date +%s) + 1))" \
		--data-urlencode 'filters={"container":["exit-hidden"],"event":["die"]}' >"$out/events-die-exit-hidden.jsonl"
	fix_digest 5.0.0 5 "$out/container-running.json"
}
# Retention's answers: four images of the repository (2.0.1 to 2.0.4, digests made 1... to 4...)
# and one of another (digest 9...), the image list unfiltered (the agent asks with a reference
# filter; unfiltered, the decoder itself must keep to the repository), and the agent's question
# which of the four a container uses: a container made from 2.0.1 and never started.
record_retention() {
	local n ids=()
	for n in 1 2 3 4; do
		make_image "2.0.$n" "echo image $n; exec sleep 3600"
		docker_cli pull -q "$IMAGE_REPOSITORY:2.0.$n" >/dev/null
		ids+=("$(docker_cli image inspect -f '{{.Id}}' "$IMAGE_REPOSITORY:2.0.$n")")
	done
	IMAGE_REPOSITORY=$REGISTRY/other/app make_image 2.0.1 'echo other; exec sleep 3600'
	docker_cli pull -q "$REGISTRY/other/app:2.0.1" >/dev/null
	docker_cli create --network none --name made "$IMAGE_REPOSITORY:2.0.1" >/dev/null
	api "http://d/v$v/images/json" >"$out/images-list.json"
	api -G "http://d/v$v/containers/json" --data-urlencode all=1 \
		--data-urlencode "filters=$(jq -cn '{ancestor: $ARGS.positional}' --args "${ids[@]}")" >"$out/containers-in-use.json"
	for n in 1 2 3 4; do fix_digest "2.0.$n" "$n" "$out/images-list.json"; done
	IMAGE_REPOSITORY=$REGISTRY/other/app fix_digest 2.0.1 9 "$out/images-list.json"
}
start_dockerd
start_registry
v=$(api http://d/version | jq -r .ApiVersion)
if [ $# -gt 0 ]; then
	for part; do "record_$part"; done
	sed -i "s|$REGISTRY|127.0.0.1:5000|g" "$out"/*.json "$out"/*.jsonl
	finish
fi
# Pull progress: an image of random data so that layers report bytes.
busybox_rootfs
head -c 3000000 /dev/urandom >"$T/rootfs/blob"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
make_image 1.0.0 'echo started; exec sleep 3600'
api -X POST "http://d/v$v/images/create?fromImage=$IMAGE_REPOSITORY&tag=1.0.0" >"$out/pull-progress.jsonl"
api -X POST "http://d/v$v/images/create?fromImage=$IMAGE_REPOSITORY&tag=9.9.9" >"$out/pull-unknown-tag.jsonl"
api "http://d/v$v/images/$IMAGE_REPOSITORY:1.0.0/json" >"$out/image-inspect.json"
api "http://d/v$v/distribution/$IMAGE_REPOSITORY:1.0.0/json" >"$out/distribution.json"
api "http://d/v$v/containers/no-such-container/json" >"$out/not-found.json"
# A healthy running container, an unhealthy one, and one that restarts after exiting 3.
docker_cli run -d --network none --name healthy --label dreichor.environment=dev \
	--health-cmd 'echo ok' --health-interval 1s "$IMAGE_REPOSITORY:1.0.0" >/dev/null
docker_cli run -d --network none --name unhealthy --health-cmd 'echo failing; exit 1' --health-interval 1s \
	--health-retries 1 "$IMAGE_REPOSITORY:1.0.0" >/dev/null
since=$(date +%s)
docker_cli run -d --network none --name crashing --restart on-failure:2 "$IMAGE_REPOSITORY:1.0.0" \
	sh -c 'echo boom; exit 3' >/dev/null
sleep 6
api "http://d/v$v/containers/healthy/json" >"$out/container-healthy.json"
api "http://d/v$v/containers/unhealthy/json" >"$out/container-unhealthy.json"
api "http://d/v$v/containers/crashing/json" >"$out/container-restarted.json"
id=$(jq -r .Id "$out/container-restarted.json")
api -G "http://d/v$v/events" --data-urlencode "since=$since" --data-urlencode "until=$(($(date +%s) + 1))" \
	--data-urlencode "filters={\"container\":[\"$id\"],\"event\":[\"die\"]}" >"$out/events-die.jsonl"
api "http://d/v$v/containers/crashing/logs?stdout=true&stderr=true&tail=50" >"$out/logs-multiplexed.bin"
api -X POST -H 'Content-Type: application/json' -d '{"Image":"'"$IMAGE_REPOSITORY:1.0.0"'"}' \
	"http://d/v$v/containers/create?name=created" >"$out/create.json"
# What the engine makes of the container contract's create body (lib/core/container.h), as the
# Docker gate inspects it after a create (t/test_gate.c edits it one privilege at a time).
digest=$(api "http://d/v$v/distribution/$IMAGE_REPOSITORY:1.0.0/json" | jq -r .Descriptor.digest)
jq -cn --arg img "$IMAGE_REPOSITORY@$digest" '{Image: $img, Env: ["LOG_LEVEL=info", "ENVIRONMENT=dev"],
	Labels: {"dreichor.environment": "dev"}, HostConfig: {Binds: [
	"/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events",
	"/opt/dreichor/dev/volumes/snapshots:/var/lib/dreichor/snapshots"],
	RestartPolicy: {Name: "unless-stopped"}, NetworkMode: "none"}}' |
	api -X POST -H 'Content-Type: application/json' -d @- "http://d/v$v/containers/create?name=dreichor-runtime-dev" >/dev/null
api "http://d/v$v/containers/dreichor-runtime-dev/json" |
	sed "s|$digest|sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef|g" >"$out/created-dev.json"
record_grace
record_retention
# Recorded answers name the test's loopback registry port; make it a fixed one.
sed -i "s|$REGISTRY|127.0.0.1:5000|g" "$out"/*.json "$out"/*.jsonl
finish
