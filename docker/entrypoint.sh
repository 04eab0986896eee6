#!/bin/sh
# Entrypoint of every allora/* image: `allora-entrypoint node /app/apps/<app>/dist/bin/<app>.js [flags]`.
#
# With INIT_DEV_STATE=true (the compose file and the container runner set it; a production deployment does not),
# the node first creates what it is missing in its own volume: its chain mnemonic (CHAIN_MNEMONIC_FILE, or the
# chain's FAUCET_MNEMONIC_FILE; mode 0600, owned by this user) and, for the chain, the genesis (GENESIS). Existing
# files are reused, so keys and chain state survive restarts. Every node makes its own secret, so no container ever
# holds another one's key, and nothing secret is in the compose file, the image or the environment.
#
# Then it becomes the node with exec: the node gets SIGTERM directly from the init process (`init: true`).
set -eu
if [ "${INIT_DEV_STATE:-false}" = "true" ]; then
  node /app/packages/devnet/dist/bin/init-state.js
fi
exec "$@"
