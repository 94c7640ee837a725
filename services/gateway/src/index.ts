export * from './agencies.js';
export * from './auth.js';
export * from './app.js';
export * from './outcomes.js';
export * from './responses.js';
export * from './openapi.js';
export * from './errors-http.js';
export * from './service.js';
