/**
 * @firewall/review: the review desk. REVIEW decisions become cases; a reviewer of the city attorney's
 * data-practices office resolves each one (DENY, or ALLOW with fields never wider than requested) with a note
 * the desk signs; the resolution is published as a ReviewResolution on firewall.reviews.v1.
 */
export * from './case.js';
export * from './errors.js';
export * from './store.js';
export * from './file-store.js';
export * from './resolution.js';
export * from './keys.js';
export * from './desk.js';
export * from './sessions.js';
export * from './router.js';
export { pageCsp, reviewPage } from './page.js';
export * from './openapi.js';
