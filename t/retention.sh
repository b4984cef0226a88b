#!/bin/bash
# Image retention with a real engine: with KEEP_IMAGES=2, dev's deploys in
# a row remove dev's images beyond the newest two, never the one prod's
# container runs, never another repository's image; the answer, the
# history and the audit entry say what went and how many bytes; status and
# plan say what the disk holds and what the next deploy would remove
# (plan removes nothing); an image the engine keeps (a child image depends
# on it) is named and skipped, never a failed deploy; --previous still
# deploys; KEEP_IMAGES below 2 is a configuration error.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_journald
start_dockerd
start_registry
for tag in 1.0.0 1.0.1 1.0.2 1.0.3 1.0.4 1.0.5; do make_image "$tag" "echo image $tag; $RUNTIME_SCRIPT"; done
for tag in 1.0.0 1.0.1 1.0.2 1.0.3 1.0.4 1.0.5; do eval "d_${tag//./_}=\$(registry_digest $tag)"; done
setup_env dev
setup_env prod
set_agent_var dev KEEP_IMAGES 2
start_agent dev
start_agent prod
held() { docker_cli image inspect "$IMAGE_REPOSITORY@$1" >/dev/null 2>&1; }
# Another repository's image in the same engine: never retention's to touch.
docker_cli tag "$(docker_cli images -q busybox-rootfs 2>/dev/null | head -1 || true)" other/thing:1 >/dev/null 2>&1 ||
	{ docker_cli import "$T/rootfs.tar" other/thing:1 >/dev/null || hard_error "cannot make another repository's image"; }

deploy prod "$IMAGE_REPOSITORY:1.0.0"
check "prod runs 1.0.0" status_is 200
deploy dev "$IMAGE_REPOSITORY:1.0.0"
deploy dev "$IMAGE_REPOSITORY:1.0.1"
check "dev's second deploy: nothing beyond two to remove" json_is '.pruned | length' 0
deploy dev "$IMAGE_REPOSITORY:1.0.2"
check "dev's third deploy: 200" status_is 200
check "... 1.0.0 is beyond the two, but prod's container runs it: kept" json_is '.pruned | length' 0
check "... still held" held "$d_1_0_0"

deploy dev "$IMAGE_REPOSITORY:1.0.3"
check "dev's fourth deploy: 200" status_is 200
check "... pruned 1.0.1, with its bytes" json_is '[.pruned[] | select(.bytes > 0) | .image_digest] | join(",")' "$d_1_0_1"
check "... 1.0.1 is gone from the engine" test "$(held "$d_1_0_1" && echo held)" = ""
both_held() { held "$1" && held "$2"; }
check "... the two newest stay" both_held "$d_1_0_3" "$d_1_0_2"
check "... prod's image stays" held "$d_1_0_0"
check "... prod still runs" test "$(container_field dreichor-runtime-prod '{{.State.Running}}')" = true
image_there() { docker_cli image inspect "$1" >/dev/null 2>&1; }
check "... another repository's image stays" image_there other/thing:1
rid=$(jq -r .request_id <<<"$BODY")
check "... the history entry says what went" \
	bash -c "jq -e --arg d '$d_1_0_1' 'select(.request_id == \"$rid\") | .pruned[0].image_digest == \$d and .pruned[0].bytes > 0' '$T/dev/state/deploys.jsonl' >/dev/null"
audit_pruned() { journal_entry "$1" | jq_holds --arg d "$2" '.DREICHOR_PRUNED | fromjson | .[0].image_digest == $d'; }
check "... so does the audit entry" audit_pruned "$rid" "$d_1_0_1"

# What the disk holds, and what the next deploy would take.
call dev GET /v1/status
check "status: images of dev held (1.0.3, 1.0.2, and prod's 1.0.0)" json_is '[.images.keep_images, .images.count] | @tsv' "2	3"
check "status: bytes held" json_is '.images.bytes > 0' true
check "status: the next deploy would remove 1.0.2" json_is '[.images.next_deploy_removes[].image_digest] | join(",")' "$d_1_0_2"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.4\"}"
check "plan of a new image: would remove 1.0.2" json_is '[.images.next_deploy_removes[].image_digest] | join(",")' "$d_1_0_2"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.2\"}"
check "plan of the previous image: would remove nothing" json_is '.images.next_deploy_removes | length' 0
check "plans removed nothing" held "$d_1_0_2"

# --previous needs the image before the current one: retention kept it.
DREICHOR_URL=http://127.0.0.1:$PORT_dev CF_ACCESS_CLIENT_ID=$CLIENT_ID CF_ACCESS_CLIENT_SECRET=$CLIENT_SECRET \
	"$top_builddir/dreichorctl" deploy --previous >"$T/out" 2>&1
check "dreichorctl deploy --previous: deployed 1.0.2 again" \
	test "$(container_field dreichor-runtime-dev '{{index .Config.Labels "dreichor.image-digest"}}')" = "$d_1_0_2"

# An image the engine keeps: a child image made from 1.0.3 depends on it.
docker_cli create --name child-src "$IMAGE_REPOSITORY@$d_1_0_3" >/dev/null &&
	docker_cli commit child-src local/child:1 >/dev/null && docker_cli rm child-src >/dev/null ||
	hard_error "cannot make a child image"
deploy dev "$IMAGE_REPOSITORY:1.0.4"
check "a deploy whose retention the engine cannot complete: still 200" status_is 200
log "retention: $(jq -c '{pruned, prune_skipped}' <<<"$BODY")"
check "... 1.0.3 is named, with why" json_is "[.prune_skipped[] | select(.image_digest == \"$d_1_0_3\") | .reason] | join(\"\")" \
	"the engine removed only this digest's reference: another tag or a child image keeps the image"
check "... and not counted as freed" json_is "[.pruned[] | select(.image_digest == \"$d_1_0_3\")] | length" 0
check "... and the child image is still there" image_there local/child:1

# A history line with null members (edited by hand) is no deploy of ours, and breaks nothing.
printf '{"action": null, "result": null, "image_digest": null}\n' >>"$T/dev/state/deploys.jsonl"
call dev GET /v1/status
check "a history line with null members: status still 200, with its images" json_is '.images.keep_images' 2

stop_agent dev
set_agent_var dev KEEP_IMAGES 1
start_agent dev
call dev GET /v1/status
check "KEEP_IMAGES=1: 500 naming it" answer_is 500 "KEEP_IMAGES"
finish
