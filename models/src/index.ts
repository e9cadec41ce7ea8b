export { loadManifest } from './load-manifest.js';
export { type LoadedModel, type LoadModelOptions, loadModel } from './load-model.js';
export { modelsDir } from './models-dir.js';
