# Berth: the API, the web UI and the job runner, one Node.js process.
#
# The digest below is a PLACEHOLDER in the right format (all zeros, so a
# build fails loudly instead of pulling something unreviewed): these machines
# cannot reach a registry to resolve node:20-bookworm-slim. Before the first
# build, replace it with the real one:
#   docker buildx imagetools inspect node:20-bookworm-slim --format '{{json .Manifest.Digest}}'
# then pin what you built in clusters/base/berth/kustomization.yaml (images: berth).
ARG NODE_IMAGE=node:20-bookworm-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its binding when no prebuilt one matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# The prepare script (the TypeScript and the web UI) needs the sources: install first, build after.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/var/lib/berth \
    HOME=/tmp \
    TMPDIR=/tmp
WORKDIR /opt/berth
# Everything Berth reads at run time, owned by root and read-only to the process:
# package.json (the package root is found by it), the pruned dependencies, the
# compiled server and UI, the render templates and starters, the apps-repo skeleton
# and the validator's Python source.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY templates ./templates
COPY apps-repo ./apps-repo
# The validator runs the runner's own checks in Pyodide: the same file the runner image has.
COPY runner/validation.py ./runner/validation.py
RUN groupadd --gid 10001 berth \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin berth \
 && mkdir -p /var/lib/berth \
 && chown 10001:10001 /var/lib/berth \
 && chmod 0700 /var/lib/berth
# The only writable places: the data volume and /tmp (an emptyDir / tmpfs with a read-only root file system).
VOLUME ["/var/lib/berth"]
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form, node itself as PID 1 (never npm, which does not forward SIGTERM): Berth drains on SIGTERM.
CMD ["node", "dist/main.js"]
