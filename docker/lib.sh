# Shared by docker/build.sh, up.sh and down.sh (sourced, not run). Needs only bash and Docker: no node, jq or curl.

# The repo root, whatever the caller's working directory.
ALLORA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMPOSE_FILE="$ALLORA_ROOT/docker/docker-compose.yaml"
# A fixed project name, so up and down agree from any directory (containers are allora_<service>_1 or
# allora-<service>-1 depending on the compose version). Override with ALLORA_PROJECT to run a second copy.
ALLORA_PROJECT=${ALLORA_PROJECT:-allora}

say() { printf '%s\n' "$*"; }
fail() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# The repo version (root package.json "version"), which tags the images.
repo_version() {
  sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' "$ALLORA_ROOT/package.json" | head -n 1
}

# The pnpm version pinned by the root package.json's packageManager field.
pnpm_version() {
  sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ALLORA_ROOT/package.json" | head -n 1
}

require_docker() {
  command -v docker >/dev/null 2>&1 || fail "docker is not installed: install Docker Engine 20.10 or newer"
  docker info >/dev/null 2>&1 || fail "the Docker daemon does not answer (docker info failed): start it, or check that this user may use it"
}

# Sets COMPOSE to the compose command of this machine: the v2 plugin (`docker compose`) when present, else v1
# (`docker-compose`). Both read the same version "3.8" file.
detect_compose() {
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
  else
    fail "neither 'docker compose' (v2) nor 'docker-compose' (v1) is installed: install one of them"
  fi
}

# Runs compose on the network's file and project.
compose() {
  "${COMPOSE[@]}" -f "$COMPOSE_FILE" -p "$ALLORA_PROJECT" "$@"
}
