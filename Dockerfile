# One image for the API and the worker (compose picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY stubs ./stubs
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsx web/build.ts
USER node
EXPOSE 3000
CMD ["npx", "tsx", "src/server.ts"]
