# syntax=docker/dockerfile:1
# pinterest-cdc container image: `docker build -t pinterest-cdc:0.1.0 .`
#   docker run --rm pinterest-cdc:0.1.0 --help
#   docker run --rm -e KAFKA_BROKERS=... -e SCHEMA_REGISTRY_URL=... -e PINTEREST_CLIENT_ID=... pinterest-cdc:0.1.0 run
# The image runs as uid/gid 65532 on a read-only root filesystem (only /tmp needs to be writable) and serves
# /metrics, /healthz and /readyz on 0.0.0.0:9464.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY patches ./patches
# patches/: kafkajs' produce retry, fixed (docs/notes.md "Three brokers"); the service refuses an unpatched kafkajs.
RUN npm ci --no-audit --no-fund --ignore-scripts && npx patch-package
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- deps: production dependencies only ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
  && npm cache clean --force
COPY --from=build /src/node_modules/kafkajs ./node_modules/kafkajs

# ---- runtime: node + prod node_modules + dist/ + avro/, nothing else ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464
WORKDIR /app
# Owned by root and read-only for the runtime user: the service writes nothing to its own files.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY avro ./avro
USER 65532:65532
EXPOSE 9464
# SIGTERM: the service finishes the in-flight batch within sync.shutdownTimeoutSeconds (default 20 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["run"]
