export {
  ApiCallError,
  type ApiErrorInfo,
  type ApiFrontend,
  type ApiHarness,
  FrontendLimitation,
  isFrontendLimitation,
  type WireObject,
} from './api-frontend.js';
export {
  type ApiScenarioGroup,
  type ApiScenarioOptions,
  apiScenarioGroups,
  apiScenarioSuite,
  describeApiScenarios,
} from './api-scenarios.js';
export {
  compareToDocumented,
  type DocumentedExample,
  DocumentedOutputMismatch,
  describeDocumentedExamples,
  documentedExampleSuite,
  loadDocumentedExamples,
} from './documented-examples.js';
export {
  assertOutputShape,
  defineScenarios,
  formatShapeDifferences,
  type RunOptions,
  registerWithVitest,
  runScenarioSuite,
  type ScenarioCase,
  type ScenarioContext,
  type ScenarioGroup,
  type ScenarioNode,
  type ScenarioResult,
  ScenarioSkipped,
  type ScenarioStatus,
  type ShapeDifference,
  ShapeMismatchError,
} from './scenario-suite.js';
export { collectionScenarios } from './scenarios/collections.js';
export { concurrencyScenarios } from './scenarios/concurrency.js';
export { faceScenarios } from './scenarios/faces.js';
export { photoScenarios } from './scenarios/image-photos.js';
export { imageValidationScenarios } from './scenarios/image-validation.js';
export { type ApiScenarioContext, useApiHarness } from './scenarios/scenario-context.js';
export { tagScenarios } from './scenarios/tags.js';
export { userScenarios } from './scenarios/users.js';
export { createSdkFrontend, type SdkFrontendOptions } from './sdk-frontend.js';
export { createServiceFrontend } from './service-frontend.js';
