# syntax=docker/dockerfile:1
# The trace store (the embedded Braintrust-compatible trace backend, HTTP on 8790; not needed when
# traces go to Braintrust).
# Build from the repository root:  docker build -f deploy/docker/tracestore.Dockerfile -t tracemesh/tracestore:0.1.0 .
#
# linux/amd64 only: package.json depends directly on chromadb-js-bindings-linux-x64-gnu (the local
# Chroma server `tracemesh up` runs), which npm refuses to install on another CPU. Pinning the
# platform makes an arm64 build host emulate amd64 instead of failing; the manifests pin the nodes.

# ---- deps: production node_modules (native addons built here, never in the runtime image) ----
FROM --platform=linux/amd64 node:20-bookworm-slim AS deps
# better-sqlite3 downloads a prebuilt addon and falls back to node-gyp, which needs these and
# Node's own headers (nodedir: no header download).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
    BT_SKIP_DOWNLOAD=1
WORKDIR /app
COPY package.json package-lock.json ./
# - devDependencies are dropped from this copy of package.json first: the lockfile lacks the
#   non-Linux builds of @bufbuild/buf (a dev tool), and `npm ci` checks the whole tree against the
#   lockfile even with --omit=dev. Everything installed still comes exactly from the lockfile.
# - BT_SKIP_DOWNLOAD: braintrust's postinstall would fetch its `bt` CLI; no service runs it.
# - The Chroma server bindings (~400 MB) and the bt CLI are removed: the services only use the
#   chromadb HTTP client; Chroma runs from its own image (deploy/k8s/chroma.yaml).
RUN --mount=type=cache,target=/root/.npm \
    npm pkg delete devDependencies \
 && npm ci --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/chromadb-js-bindings-* node_modules/@braintrust/bt-*

# ---- runtime ----
FROM --platform=linux/amd64 node:20-bookworm-slim
# uid/gid 10001 (the manifests' runAsUser); npm and corepack are not needed to run and only widen
# what a scanner (or an attacker) finds in the image.
RUN groupadd --system --gid 10001 tracemesh \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tracemesh \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
 && mkdir -p /var/lib/tracemesh \
 && chown 10001:10001 /var/lib/tracemesh
# HOME=/tmp: the only writable place besides the data dir under a read-only root filesystem (tsx
# keeps its transpile cache in the temp dir). The ConfigMap sets host and data dir explicitly too.
ENV NODE_ENV=production \
    HOME=/tmp \
    TRACEMESH_HOST=0.0.0.0 \
    TRACEMESH_DATA_DIR=/var/lib/tracemesh
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# tsx runs the TypeScript sources as they are: package.json ("type": "module") and tsconfig.json
# decide how. Application files stay owned by root, read-only to the service user.
COPY package.json tsconfig.json ./
COPY lib/ ./lib/
COPY services/tracestore/ ./services/tracestore/
USER 10001:10001
EXPOSE 8790
ENTRYPOINT ["node", "--import", "tsx", "services/tracestore/main.ts"]
