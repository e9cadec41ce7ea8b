import type { Context } from 'hono';
import type { SignedRequestClaim } from './sigv4-verifier.js';

/** The AWS JSON 1.1 media type; every response of the API carries it. */
export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** `X-Amz-Target` prefix of Amazon Rekognition (`targetPrefix` in the API model). */
export const TARGET_PREFIX = 'RekognitionService.';

/** Context variables the app shares between its middleware. */
export interface AppVariables {
  requestId: string;
  operation?: string;
  /** The signature's claims, once the headers passed the checks. */
  claim?: SignedRequestClaim;
  /** The access key of a verified (or at least known) signature. */
  accessKeyId?: string;
  /** Release functions of the admission slots the request holds. */
  slots?: (() => void)[];
  /** The account the request acts for, once authenticated. */
  accountId?: string;
  errorType?: string;
  errorMessage?: string;
}

export type AppEnv = { Variables: AppVariables };

/**
 * An AWS JSON error response, shaped as Rekognition's documented one: the same bare name in
 * `__type`, `Code` and `x-amzn-ErrorType` so that both generations of the JS SDK (body-first
 * and header-first) and botocore find it. `Logref` repeats the request id, so a user quoting it
 * can be matched with the server log.
 *
 * @see https://docs.aws.amazon.com/rekognition/latest/dg/error-handling.html
 */
export function awsJsonError(
  c: Context<AppEnv>,
  status: 400 | 404 | 405 | 500,
  name: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const requestId = c.get('requestId');
  c.set('errorType', name);
  c.set('errorMessage', message);
  const body = { __type: name, Code: name, Logref: requestId, Message: message };
  return c.body(JSON.stringify(body), status, {
    'Content-Type': AWS_JSON_CONTENT_TYPE,
    'x-amzn-ErrorType': name,
    ...headers,
  });
}
