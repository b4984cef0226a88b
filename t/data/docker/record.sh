#!/bin/bash
# Record the Docker Engine API answers t/test_docker_json.c decodes, from a
# private dockerd and docker-registry (t/lib-infra.sh), into this folder:
#   bash t/data/docker/record.sh        (as root, from the source tree)
# The recordings are committed; run this again when the engine changes.
set -u
top_srcdir=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top_srcdir/t/lib.sh"
out=$top_srcdir/t/data/docker
api() { curl -s --unix-socket "$DOCKER_SOCK" "$@"; }
start_dockerd
start_registry
v=$(api http://d/version | jq -r .ApiVersion)
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
# Recorded answers name the test's loopback registry port; make it a fixed one.
sed -i "s|$REGISTRY|127.0.0.1:5000|g" "$out"/*.json "$out"/*.jsonl
finish
