export * from './app.js';
export * from './outcomes.js';
export * from './responses.js';
export * from './openapi.js';
export * from './service.js';
