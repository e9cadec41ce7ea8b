export {
  type AccountServices,
  type AccountServicesOptions,
  createAccountServices,
} from './account-services.js';
export { AdmissionQueue, type AdmissionQueueOptions } from './admission-queue.js';
export type { AppEnv, AppVariables } from './aws-json.js';
export { AWS_JSON_CONTENT_TYPE, TARGET_PREFIX } from './aws-json.js';
export { CONSOLE_PATH, type ConsoleOptions, type StaticFile } from './console-routes.js';
export {
  type AuthOptions,
  type CreateAppOptions,
  createApp,
  DEFAULT_MAX_BODY_BYTES,
  defaultServerLimits,
  MAX_FALSE_ACCEPT_RATE_HEADER,
  type OperationExecutor,
  type ServerLimits,
  type ServiceResolver,
} from './create-app.js';
export type { Logger, RequestLogFields } from './logger.js';
export {
  type AccessKey,
  AuthError,
  type AuthErrorType,
  type SignedRequestClaim,
  SigV4Verifier,
  type SigV4VerifierOptions,
} from './sigv4-verifier.js';
export {
  SOURCE_IMAGE_PATH,
  SOURCE_IMAGES_HEADER,
  type SourceImageReader,
} from './source-image-route.js';
