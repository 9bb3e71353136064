# leash in a container: `docker build -t leash .`
# Credentials come only from the environment (AWS_* variables, a web-identity token file for IRSA /
# EKS Pod Identity) or a read-only mounted config (-v ~/.aws:/home/node/.aws:ro). Nothing secret
# is baked in: no ARG or ENV carries one, and .dockerignore keeps .env and .aws out of the context.

# --- build: the TypeScript toolchain, thrown away after compiling -------------------------------
# Node 24, an LTS line: Node 20 left support in April 2026 (see docs/NOTES.md, session 26).
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# esbuild's postinstall self-check is not needed (see package.json allowScripts).
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY docs/scanner-policy.json ./docs/scanner-policy.json
COPY scripts/bundle.mjs ./scripts/bundle.mjs
# Compiled, then bundled (scripts/bundle.mjs: the CLI and its worker entries, with the catalog file).
RUN npx tsc -p . --outDir dist && node dist/src/iam/write-catalog-cache.js && node scripts/bundle.mjs dist

# --- runtime: production dependencies and the bundled CLI only --------------------------------
FROM node:24.22.3-bookworm-slim AS runtime
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    AWS_EC2_METADATA_V1_DISABLED=true
WORKDIR /opt/leash
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist/bundle ./dist/bundle
COPY demo ./demo
COPY reports/schema ./reports/schema
RUN mkdir -p /reports && chown 1000:1000 /reports
# The image's own `node` user (uid 1000): numeric, so Kubernetes runAsNonRoot can verify it.
USER 1000:1000
VOLUME ["/reports"]
WORKDIR /reports
# Node 24's V8 grows the young generation to 64 MiB semi-spaces; leash's scan keeps many objects
# alive through a stage, so that is ~75 MiB more peak RSS at 10,000 principals for no measured
# speed (session 37: 526-529 MiB against 592-602, wall within noise). 16 MiB is Node 20's size.
# The GitHub action sets the same flag (NODE_OPTIONS), and `npm run bench` measures it from here.
ENTRYPOINT ["node", "--max-semi-space-size=16", "/opt/leash/dist/bundle/main.js"]
CMD ["schedule", "--cron", "0 3 * * *", "--", "--aws", "--reports", "/reports", "--format", "json,sarif,asff,md"]
