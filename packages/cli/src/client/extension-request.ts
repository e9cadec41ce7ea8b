import { FACEKIT_TARGET_PREFIX } from '@facekit/core';
import { SignatureV4 } from '@smithy/signature-v4';
import { ApiError } from './api-client.js';

/** How to sign: what the Rekognition SDK client resolved for the same endpoint. */
export interface ExtensionSigning {
  region: string;
  /** The SDK client's credential provider (dummy keys, explicit keys or the standard chain). */
  credentials: () => Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }>;
  /** A SHA-256 hash constructor, e.g. the SDK client's `config.sha256`. */
  sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'];
}

/**
 * One facekit extension operation as a plain AWS JSON 1.1 request: `POST` with
 * `X-Amz-Target: FacekitService.<Operation>`, signed with SigV4 for service `rekognition`, as
 * any SDK call is. Any HTTP client can do the same (README, "facekit extensions").
 * @returns the parsed JSON output.
 * @throws {ApiError} named as the error the server answered (`__type`).
 */
export async function callExtensionEndpoint(
  endpoint: string,
  signing: ExtensionSigning,
  operation: string,
  input: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<unknown> {
  const url = new URL(endpoint);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    credentials: signing.credentials,
    region: signing.region,
    service: 'rekognition',
    sha256: signing.sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname === '' ? '/' : url.pathname,
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${FACEKIT_TARGET_PREFIX}${operation}`,
      ...extraHeaders,
    },
    body,
  });
  // fetch sets Host itself, to the same value.
  const { host: _host, ...headers } = signed.headers;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED...) is its cause.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `cannot reach ${endpoint} (${cause?.code ?? cause?.message ?? String(error)}); is facekit serve running?`,
      { cause: error },
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(
      'InternalServerError',
      `${endpoint} answered ${response.status} with a body that is not JSON`,
    );
  }
  if (!response.ok) {
    const error = json as { __type?: string; message?: string; Message?: string };
    const name =
      response.headers.get('x-amzn-errortype')?.split(':', 1)[0] ??
      error.__type?.split('#').pop() ??
      'UnknownError';
    throw new ApiError(name, error.Message ?? error.message ?? `HTTP ${response.status}`);
  }
  return json;
}
