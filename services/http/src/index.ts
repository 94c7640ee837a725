export * from './legal-basis.js';
export * from './replay-guard.js';
export * from './issuers.js';
export * from './credentials.js';
