export {
  ApiCallError,
  type ApiErrorInfo,
  type ApiFrontend,
  type ApiHarness,
  FrontendLimitation,
  isFrontendLimitation,
  type WireObject,
} from './api-frontend.js';
export { describeApiScenarios } from './api-scenarios.js';
export {
  compareToDocumented,
  type DocumentedExample,
  describeDocumentedExamples,
  loadDocumentedExamples,
} from './documented-examples.js';
export { createSdkFrontend, type SdkFrontendOptions } from './sdk-frontend.js';
export { createServiceFrontend } from './service-frontend.js';
