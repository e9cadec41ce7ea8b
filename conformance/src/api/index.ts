export {
  ApiCallError,
  type ApiErrorInfo,
  type ApiFrontend,
  type ApiHarness,
  FrontendLimitation,
  isFrontendLimitation,
  type WireObject,
} from './api-frontend.js';
export { apiScenarioSuite, describeApiScenarios } from './api-scenarios.js';
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
export { createSdkFrontend, type SdkFrontendOptions } from './sdk-frontend.js';
export { createServiceFrontend } from './service-frontend.js';
