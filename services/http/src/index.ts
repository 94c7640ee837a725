export * from './legal-basis.js';
export * from './replay-guard.js';
export * from './access-log.js';
