export * from './legal-basis.js';
export * from './replay-guard.js';
