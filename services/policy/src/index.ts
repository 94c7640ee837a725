export * from './bundle-files.js';
export * from './bundle-signature.js';
export * from './bundle.js';
export * from './keys.js';
export * from './evaluator.js';
export * from './decide.js';
export * from './decider.js';
export * from './embedded-bundle.js';
