export * from './api/index.js';
export * from './storage/index.js';
