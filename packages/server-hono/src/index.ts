export type { AppEnv, AppVariables } from './aws-json.js';
export { AWS_JSON_CONTENT_TYPE, TARGET_PREFIX } from './aws-json.js';
export {
  type CreateAppOptions,
  createApp,
  DEFAULT_MAX_BODY_BYTES,
  type OperationExecutor,
} from './create-app.js';
export type { Logger, RequestLogFields } from './logger.js';
