#!/usr/bin/env bash
# pnpm docker:build — builds allora/chain, allora/head, allora/worker, allora/inference-server and allora/dashboard
# from this repo, each tagged with the repo version (root package.json) and `latest`, and prints their sizes.
#
# First the build image allora/build:<version> (docker/build.Dockerfile: the monorepo installed and built, once per
# run, and not at all when nothing changed: Docker's layer cache), then the five images of docker/Dockerfile, which
# copy their app from it. Needs only Docker. Set VERBOSE=1 to stream the build output.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_docker

version=$(repo_version)
pnpm=$(pnpm_version)
[ -n "$version" ] || fail "cannot read \"version\" from $ALLORA_ROOT/package.json"
[ -n "$pnpm" ] || fail "cannot read the pnpm version from \"packageManager\" in $ALLORA_ROOT/package.json"

log=$(mktemp -t allora-docker-build.XXXXXX)
trap 'rm -f "$log"' EXIT
# Runs one docker build, quietly unless VERBOSE=1; on failure shows the end of its output.
run_build() {
  local what=$1
  shift
  if [ "${VERBOSE:-0}" = "1" ]; then
    docker build "$@" || fail "building $what failed"
  elif ! docker build "$@" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    fail "building $what failed (last lines above; VERBOSE=1 pnpm docker:build shows everything)"
  fi
}

started=$SECONDS
# 1. The build image: install + build of the monorepo (context: the repo, filtered by .dockerignore).
run_build "allora/build" -f "$ALLORA_ROOT/docker/build.Dockerfile" --build-arg "PNPM_VERSION=$pnpm" \
  -t "allora/build:$version" -t "allora/build:latest" "$ALLORA_ROOT"
say "built allora/build:$version (the monorepo, installed and built) in $((SECONDS - started)) s"

# 2. The five images, from that build image only (no context: the Dockerfile comes on stdin), so files edited
#    meanwhile cannot make them disagree.
for image in chain head worker inference-server dashboard; do
  step=$SECONDS
  run_build "allora/$image" --target "$image" --build-arg "BUILD_IMAGE=allora/build:$version" \
    --build-arg "VERSION=$version" -t "allora/$image:$version" -t "allora/$image:latest" - <"$ALLORA_ROOT/docker/Dockerfile"
  say "built allora/$image:$version (and :latest) in $((SECONDS - step)) s"
done
say "all images built in $((SECONDS - started)) s:"
docker image ls --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' --filter "reference=allora/*:$version"
