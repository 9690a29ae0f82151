// The API contract: the zod schema of every route's request and response, in one place. The
// routes use them (fastify-type-provider-zod validates requests and documents responses in
// /docs); the web client's types are inferred from them (web/src/types.ts, type-only imports, so
// zod stays out of the browser bundle). Only zod and pure modules may be imported here: the web
// client's type check (web/src/tsconfig.json, no Node types) reads these files too.
export * from './accounts.js';
export * from './audit.js';
export * from './binder.js';
export * from './entries.js';
export * from './checklist.js';
export * from './exports.js';
export * from './health.js';
export * from './notices.js';
export * from './portals.js';
export * from './problem.js';
export * from './requests.js';
export * from './shares.js';
export * from './sync.js';
export * from './uploads.js';
