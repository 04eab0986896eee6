# The build image (allora/build:<version>): the monorepo installed from its lockfile and built, plus one staged
# production tree per app in /prod/<app>. docker/Dockerfile's five images copy from it, so one `pnpm docker:build`
# installs and builds the monorepo exactly once, even if files change while the images build. Not meant to run.
# Build from the repo root (bash docker/build.sh does):
#   docker build -f docker/build.Dockerfile -t allora/build:<version> .
# Pinned: the base image tag, pnpm (build.sh passes the root package.json's packageManager version) and every npm
# dependency (the lockfile, frozen). Legacy builder (engine 20.10): no BuildKit-only syntax.
ARG NODE_IMAGE=node:22-bookworm-slim
FROM ${NODE_IMAGE}
ARG PNPM_VERSION=10.34.8
ENV CI=true npm_config_update_notifier=false
RUN npm install -g "pnpm@${PNPM_VERSION}" --no-audit --no-fund --loglevel=error
WORKDIR /repo
# Dependencies first, keyed on the lockfile only, so a source edit reuses the downloaded store.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc package.json ./
# Patches pnpm applies to dependencies (patches/): the frozen install needs them.
COPY patches ./patches
RUN pnpm fetch
COPY . .
# @allora/devnet depends on all five apps, so its closure is everything the images need (the container init
# script is part of devnet).
RUN pnpm install --frozen-lockfile --offline \
 && pnpm --filter "@allora/devnet..." run build
RUN for app in head worker chain inference-server dashboard; do sh docker/stage-app.sh "$app" "/prod/$app"; done \
 && cp packages/node-function/python/main.py /prod/main.py \
 && cp docker/entrypoint.sh /prod/entrypoint.sh
