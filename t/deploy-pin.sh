#!/bin/bash
# Tags are pinned to the digest first pulled: a tag re-pushed with new
# content is refused with 409 and the running container stays. A tag
# given with a digest is recorded only when the registry agrees.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
setup_env dev
start_agent dev
name=dreichor-runtime-dev

deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "first deploy: 200" status_is 200
first_digest=$(printf '%s' "$BODY" | jq -r .image_digest)
cid=$(container_field $name '{{.Id}}')
check "pin records the digest" test "$(cat "$T/dev/state/pins/1.0.0")" = "$first_digest"

# Same content again: fine.
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "same tag, same digest: 200" status_is 200
cid=$(container_field $name '{{.Id}}')

# Re-push 1.0.0 with other content.
make_image 1.0.0 'echo tampered; exec sleep 3600'
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "re-pushed tag: 409" answer_is 409 "tag 1.0.0 now resolves to"
check "409 names the pinned digest" reason_has "$first_digest"
check "409 phase digest-pin" json_is .phase digest-pin
check "running container untouched" test "$(container_field $name '{{.Id}}')" = "$cid"
check "still running the first digest" test "$(container_field $name '{{index .Config.Labels "dreichor.image-digest"}}')" = "$first_digest"
check "pin unchanged" test "$(cat "$T/dev/state/pins/1.0.0")" = "$first_digest"

# Deploying by the pinned digest still works, and a digest reference is never pinned by tag.
deploy dev "$IMAGE_REPOSITORY@$first_digest"
check "deploy by digest: 200" status_is 200
check "container runs the digest" test "$(container_field $name '{{.Config.Image}}')" = "$IMAGE_REPOSITORY@$first_digest"
tampered_digest=$(registry_digest 1.0.0)
# A tag with a digest is recorded only when the registry says the tag resolves to it.
deploy dev "$IMAGE_REPOSITORY:1.0.0@$first_digest"
check "tag plus a digest the tag no longer resolves to: 409" answer_is 409 "tag 1.0.0 resolves to $tampered_digest in the registry, not to the requested $first_digest"
check "... phase digest-pin, running container untouched" test "$(jq -r .phase <<<"$BODY")/$(container_field $name '{{.Config.Image}}')" = "digest-pin/$IMAGE_REPOSITORY@$first_digest"
make_image 2.0.0 "$RUNTIME_SCRIPT"
two_digest=$(registry_digest 2.0.0)
deploy dev "$IMAGE_REPOSITORY:3.0.0@$two_digest"
check "a tag the registry lacks, with another tag's digest: 502" answer_is 502 "the registry does not resolve $IMAGE_REPOSITORY:3.0.0"
check "... the tag is not pinned" test ! -e "$T/dev/state/pins/3.0.0"
check "... nor recorded on a container" test "$(container_field $name '{{.Config.Image}}')" = "$IMAGE_REPOSITORY@$first_digest"
deploy dev "$IMAGE_REPOSITORY:2.0.0@$two_digest"
check "tag plus the digest it resolves to: 200" status_is 200
check "... pinned to it" test "$(cat "$T/dev/state/pins/2.0.0")" = "$two_digest"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.0@$first_digest\"}"
check "plan of a tag plus a digest it does not resolve to lists the 409" json_is '(.checks[] | select(.check == "digest-pin")) | [.ok, .status] | @tsv' "false	409"

# An image the engine knows under several digests of the same repository (its manifest and a
# manifest list naming it): a deploy by the list's digest is accepted, wherever that digest
# stands among the image's RepoDigests.
make_image 4.0.0 "$RUNTIME_SCRIPT"
accept=application/vnd.docker.distribution.manifest.v2+json
curl -s -H "Accept: $accept" -o "$T/manifest" "http://$REGISTRY/v2/$REPO_PATH/manifests/4.0.0"
manifest_digest=sha256:$(sha256sum "$T/manifest" | cut -d' ' -f1)
printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"%s","size":%d,"digest":"%s","platform":{"architecture":"%s","os":"linux"}}]}' \
	"$accept" "$(stat -c %s "$T/manifest")" "$manifest_digest" "$(dpkg --print-architecture)" >"$T/list"
list_digest=sha256:$(sha256sum "$T/list" | cut -d' ' -f1)
curl -sf -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.list.v2+json' --data-binary @"$T/list" \
	"http://$REGISTRY/v2/$REPO_PATH/manifests/4.0.0-list" >/dev/null || hard_error "cannot push the manifest list"
deploy dev "$IMAGE_REPOSITORY@$manifest_digest"
check "deploy by the manifest's digest: 200" status_is 200
deploy dev "$IMAGE_REPOSITORY@$list_digest"
check "deploy by the manifest list's digest of the same image: 200" status_is 200
check "... the answer's digest is the requested one" json_is .image_digest "$list_digest"
log "RepoDigests: $(docker_cli image inspect -f '{{json .RepoDigests}}' "$IMAGE_REPOSITORY@$list_digest")"
check "... the image carries both digests" test "$(docker_cli image inspect -f '{{len .RepoDigests}}' "$IMAGE_REPOSITORY@$list_digest")" -ge 2
deploy dev "$IMAGE_REPOSITORY@$manifest_digest"
check "and back by the manifest's digest: 200" json_is .image_digest "$manifest_digest"

# A corrupt pin is reported, not silently replaced.
echo garbage >"$T/dev/state/pins/1.0.0"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "corrupt pin: 500 naming the file" answer_is 500 "pins/1.0.0 is corrupt"

finish
