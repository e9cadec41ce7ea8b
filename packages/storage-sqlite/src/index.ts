export { createSqliteFaceStore, type SqliteFaceStoreOptions } from './sqlite-face-store.js';
