export {
  type BrowserFaceAnalyzerOptions,
  createBrowserFaceAnalyzer,
} from './browser-face-analyzer.js';
export {
  type BrowserImageDecoderOptions,
  createBrowserImageDecoder,
} from './browser-image-decoder.js';
export { createModelFetcher, type ModelFetcherOptions, modelManifest } from './fetch-model.js';
