#!/usr/bin/env bash
# pnpm docker:up — starts the whole network of docker/docker-compose.yaml (chain, head, three workers, three
# inference servers, the dashboard) and waits until it is ready: every service running and healthy, and the head's
# GET /api/v1/status showing every worker subscribed to allora-topic-1-worker. Fails after ALLORA_UP_TIMEOUT
# seconds (default 180) naming what is not ready, with its last log lines. Needs only Docker and compose v1 or v2.
# Images come from `pnpm docker:build`. State (keys, chain) lives in named volumes and survives docker:down.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_docker
detect_compose

timeout=${ALLORA_UP_TIMEOUT:-180}
version=$(repo_version)
for image in chain head worker inference-server dashboard; do
  docker image inspect "allora/$image:$version" >/dev/null 2>&1 \
    || fail "image allora/$image:$version is missing: run pnpm docker:build first"
done

# The host ports, checked before starting so a clash is explained instead of half-starting the network.
for published in "HEAD_REST_HOST_PORT 6000 head REST" "CHAIN_RPC_HOST_PORT 26657 chain RPC" "CHAIN_REST_HOST_PORT 1317 chain REST" "DASHBOARD_HTTP_HOST_PORT 3000 dashboard"; do
  read -r var default what <<<"$published"
  port=${!var:-$default}
  if ! compose ps -q 2>/dev/null | grep -q . && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port (the $what) is already in use on 127.0.0.1 (a pnpm dev?): stop that, or move it with $var=<port> pnpm docker:up"
  fi
done

started=$SECONDS
say "starting the network (project $ALLORA_PROJECT, ${COMPOSE[*]})"
# Compose starts each service once its dependencies are healthy (depends_on: service_healthy), so `up` returns
# when the last tier has started; readiness is checked below.
compose up -d --remove-orphans || fail "compose could not start the network (see above); stop what started with pnpm docker:down"

services=$(compose config --services)
workers=$(grep -c '^worker-' <<<"$services" || true)
topic=allora-topic-1-worker
# Counts, inside the head's container (no curl or jq needed on the host), the workers subscribed to the topic.
count_script="require('http').get({host:'127.0.0.1',port:process.env.REST_PORT||6000,path:'/api/v1/status',timeout:2000},r=>{let b='';r.on('data',c=>b+=c);r.on('end',()=>{try{console.log(JSON.parse(b).workers.filter(w=>w.subscribed.includes('$topic')).length)}catch{console.log(0)}})}).on('error',()=>console.log(0)).on('timeout',()=>console.log(0))"

# Prints one "service state" line per service that is not running and healthy (nothing when all are).
not_healthy() {
  local service id state
  for service in $services; do
    id=$(compose ps -q "$service" 2>/dev/null || true)
    if [ -z "$id" ]; then
      echo "$service missing"
      continue
    fi
    state=$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}no-healthcheck{{end}}' "$id")
    [ "$state" = "running/healthy" ] || echo "$service $state"
  done
}

subscribed=0
while :; do
  pending=$(not_healthy)
  if [ -z "$pending" ]; then
    subscribed=$(compose exec -T head node -e "$count_script" 2>/dev/null | tr -d '[:space:]' || true)
    [ "${subscribed:-0}" -ge "$workers" ] 2>/dev/null && break
  fi
  if [ $((SECONDS - started)) -ge "$timeout" ]; then
    say "the network is not ready after $timeout s:" >&2
    if [ -n "$pending" ]; then
      while read -r service state; do
        say "  $service is $state; its last log lines:" >&2
        compose logs --no-color --tail=15 "$service" 2>&1 | sed 's/^/    /' >&2
      done <<<"$pending"
    else
      say "  every service is healthy, but the head sees ${subscribed:-0} of $workers workers on $topic" >&2
      compose logs --no-color --tail=10 head 2>&1 | sed 's/^/    /' >&2
    fi
    fail "pnpm docker:up timed out (ALLORA_UP_TIMEOUT=$timeout); stop what started with pnpm docker:down"
  fi
  sleep 1 # poll interval, not a readiness assumption: the loop ends on the checks above
done

head_port=$(compose port head 6000 | tail -n 1)
chain_rest=$(compose port chain 1317 | tail -n 1)
chain_rpc=$(compose port chain 26657 | tail -n 1)
dashboard=$(compose port dashboard 3000 2>/dev/null | tail -n 1 | sed 's/^0\.0\.0\.0:/localhost:/; s/^127\.0\.0\.1:/localhost:/')
say "ready in $((SECONDS - started)) s: every service healthy, $subscribed workers subscribed to $topic"
[ -n "$dashboard" ] && say "  dashboard   http://$dashboard   (rounds, scores, rewards, requests)"
say "  head REST   http://$head_port   (try the guide's curl against http://$head_port/api/v1/functions/execute)"
say "  chain REST  http://$chain_rest   chain RPC http://$chain_rpc"
say "  logs: ${COMPOSE[*]} -f docker/docker-compose.yaml -p $ALLORA_PROJECT logs -f     stop: pnpm docker:down"
