#!/bin/sh
# Stages one app for its image, inside the Dockerfile's build stage (run from the built repo root):
#   sh docker/stage-app.sh <app> <dest>        e.g. sh docker/stage-app.sh head /prod/head
# <dest> gets the app and the workspace packages it depends on (built output only: no sources, tests, type
# declarations or source maps), their production dependencies installed offline from the lockfile (pnpm's store
# was filled by `pnpm fetch`), and the container init script. The image copies <dest> to /app unchanged, so paths
# match the repo: node /app/apps/<app>/dist/bin/<app>.js.
set -eu
app=$1
dest=$2
repo=$PWD

mkdir -p "$dest"
cp package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc "$dest/"
# Dependency patches (patches/) the root manifest names: the frozen install applies them.
if [ -d patches ]; then cp -r patches "$dest/"; fi

# The app and every workspace package it needs, as pnpm resolves them from the manifests.
for dir in $(pnpm ls --filter "@allora/$app..." --depth -1 --parseable | sort -u); do
  rel=${dir#"$repo"/}
  mkdir -p "$dest/$rel"
  tar -C "$dir" \
    --exclude=./node_modules --exclude=./src --exclude=./test --exclude=./.vitest --exclude=./.turbo \
    --exclude='./tsconfig*.json' --exclude=./vitest.config.ts --exclude='*.map' --exclude='*.d.ts' \
    -cf - . | tar -C "$dest/$rel" -xf -
done

cd "$dest"
pnpm install --prod --frozen-lockfile --offline --ignore-scripts --filter "@allora/$app..." >/dev/null

# A workspace package's peer dependencies (@allora/protocol's cosmjs and typebox) come from the app, as they would in
# any app that installs the library: a production install links them only into the app, so link them beside the
# package too (Node resolves a module's imports from its own folder upwards, never from the app's).
node -e '
const { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync } = require("node:fs");
const { dirname, join, relative } = require("node:path");
const [app, ...dirs] = process.argv.slice(1);
for (const dir of dirs) {
  const peers = Object.keys(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).peerDependencies ?? {});
  for (const peer of peers) {
    const link = join(dir, "node_modules", peer);
    if (existsSync(link)) continue;
    const from = join("apps", app, "node_modules", peer);
    if (!existsSync(from)) throw new Error(`${dir} needs its peer ${peer}: add it to apps/${app}/package.json`);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), realpathSync(from)), link);
  }
}' "$app" $(for dir in $(pnpm ls --filter "@allora/$app..." --depth -1 --parseable | sort -u); do echo "${dir#"$repo"/}"; done)

# Files Node never loads at run time (declarations, TypeScript sources, source maps, READMEs and changelogs):
# about a third of the dependencies' bytes. Licenses stay.
find node_modules/.pnpm -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.ts' \
  -o -name '*.map' -o -iname 'readme*' -o -iname 'changelog*' -o -iname 'history.md' \) -delete

# The container init script (first-start secrets and genesis, see docs/DOCKER.md) and the two modules it imports,
# without @allora/devnet's own dependencies (testcontainers, yaml): it only needs @allora/protocol and
# @allora/service (its flag-to-env rule), which every app already depends on.
devnet=packages/devnet
mkdir -p "$devnet/dist/bin" "$devnet/node_modules/@allora"
cp "$repo/$devnet/package.json" "$devnet/"
for f in bin/init-state.js container-state.js description.js state.js; do
  cp "$repo/$devnet/dist/$f" "$devnet/dist/$f"
done
ln -s ../../../protocol "$devnet/node_modules/@allora/protocol"
ln -s ../../../service "$devnet/node_modules/@allora/service"
