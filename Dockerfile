# syntax=docker/dockerfile:1
#
# One image for every closrads process (worker, scheduler, enqueue, dashboard, simulator). The apps
# run from their TypeScript sources, loaded by tsx inside the one node process (`node --import tsx`;
# never the tsx CLI, which would put a second process between the container and its signals). A
# compile step would need every relative import rewritten with its extension (tsc output and Node's
# own type stripping both require them), or a bundle whose external packages pnpm's strict layout
# cannot resolve from an app's folder; not worth it for processes that start once.
#
#   docker build -t closrads .
#   docker compose up -d            (see docker-compose.yml and docs/runbook.md)

# Node 24 LTS in production; the code also runs on Node 20 (the development machines').
ARG NODE_IMAGE=node:24-bookworm-slim
# Keep in step with the root package.json (packageManager).
ARG PNPM_VERSION=10.34.9

# ---- fetch: every package the lockfile names, into the pnpm store ------------------------------
FROM ${NODE_IMAGE} AS fetch
ARG PNPM_VERSION
ENV CI=true
RUN npm install -g "pnpm@${PNPM_VERSION}" && npm cache clean --force
WORKDIR /app
# From the lockfile alone, so this layer is reused until the lockfile changes and no package manifest
# has to be listed here. The store is a BuildKit cache mount: it outlives the build, and a changed
# lockfile downloads only what is new.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=closrads-pnpm-store,target=/pnpm/store \
    pnpm fetch --store-dir /pnpm/store

# ---- check (optional): docker build --target check . installs the dev tools and typechecks ---------
FROM fetch AS check
COPY . .
RUN --mount=type=cache,id=closrads-pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm/store \
  && pnpm -s typecheck

# ---- build: the tree with production dependencies only, installed without the network --------------
# (pnpm prune --prod would empty the workspace packages' own node_modules: a fresh --prod install
# links exactly what each package declares.)
FROM fetch AS build
COPY . .
RUN --mount=type=cache,id=closrads-pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --prod --store-dir /pnpm/store \
  && rm -rf packages/*/test apps/*/test bench/test packages/test-support docs artifacts test-results

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
