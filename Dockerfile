# syntax=docker/dockerfile:1
#
# One image for every closrads process (worker, scheduler, enqueue, dashboard, simulator). The apps
# run from their TypeScript sources with tsx; there is no compile step.
#
#   docker build -t closrads .
#   docker compose up -d            (see docker-compose.yml and docs/runbook.md)

ARG NODE_IMAGE=node:20-bookworm-slim
# Keep in step with the root package.json (packageManager).
ARG PNPM_VERSION=10.34.9

# ---- build: the whole workspace, dev dependencies included --------------------------------------
FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION
ARG TYPECHECK=false
ENV CI=true
RUN npm install -g "pnpm@${PNPM_VERSION}" && npm cache clean --force
WORKDIR /app

# Manifests first, so that the dependency layer is reused while only sources change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/core/package.json packages/core/
COPY packages/simulator/package.json packages/simulator/
COPY apps/worker/package.json apps/worker/
COPY apps/scheduler/package.json apps/scheduler/
COPY apps/dashboard/package.json apps/dashboard/
COPY apps/demo/package.json apps/demo/
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile --prod=false

COPY . .
# Optional gate: docker build --build-arg TYPECHECK=true .
RUN if [ "$TYPECHECK" = "true" ]; then pnpm -s typecheck; fi

# Drop dev dependencies (test runner, linters, TypeScript…); tsx, which runs the apps, is a runtime
# dependency of the root package and stays.
RUN pnpm prune --prod \
  && rm -rf packages/*/test apps/*/test bench/test test docs artifacts test-results

# ---- runtime ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LOG_LEVEL=info \
    PATH=/app/node_modules/.bin:$PATH
WORKDIR /app
COPY --from=build --chown=root:root /app /app
# The campaigns file is mounted at /app/config/campaigns.json (read-only); nothing in /app is writable.
USER node
# Default process; docker-compose.yml sets the command of each service.
CMD ["node", "--max-old-space-size=256", "--import", "tsx", "apps/worker/src/main.ts"]
