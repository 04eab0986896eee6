#!/usr/bin/env bash
# pnpm docker:down [--volumes] — stops and removes the network's containers and network (SIGTERM, then SIGKILL
# after 5 s; the nodes exit in about a second) and checks that no container of the project is left. Named volumes
# (keys, chain state) are kept for the next docker:up unless --volumes is given, which starts the next network
# fresh. Needs only Docker and compose v1 or v2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

volumes=()
for arg in "$@"; do
  case "$arg" in
    -v | --volumes) volumes=(--volumes) ;;
    *) fail "unknown option $arg (usage: pnpm docker:down [--volumes])" ;;
  esac
done

require_docker
detect_compose
started=$SECONDS
compose down --remove-orphans --timeout 5 "${volumes[@]}"

left=$(docker ps -aq --filter "label=com.docker.compose.project=$ALLORA_PROJECT")
if [ -n "$left" ]; then
  # Only reachable if something outside compose recreated a container meanwhile.
  docker rm -f $left >/dev/null
  say "removed leftover containers: $left"
fi
say "stopped and removed in $((SECONDS - started)) s${volumes[*]:+ (volumes removed too)}"
