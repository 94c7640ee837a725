export * from './legal-basis.js';
export * from './replay-guard.js';
export * from './memory-replay-guard.js';
export * from './postgres-replay-guard.js';
export { MAX_REPLAY_ID_LENGTH } from './replay-input.js';
