#!/bin/bash
# Tags are pinned to the digest first pulled: a tag re-pushed with new
# content is refused with 409 and the running container stays.
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
deploy dev "$IMAGE_REPOSITORY:1.0.0@$first_digest"
check "tag plus pinned digest: 200" status_is 200

# A corrupt pin is reported, not silently replaced.
echo garbage >"$T/dev/state/pins/1.0.0"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "corrupt pin: 500 naming the file" answer_is 500 "pins/1.0.0 is corrupt"

finish
