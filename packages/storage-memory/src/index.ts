export { createMemoryFaceStore } from './memory-face-store.js';
