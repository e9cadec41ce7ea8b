import { SignatureV4 } from '@smithy/signature-v4';
import { session } from './session.js';

/**
 * `fetch` of a path on the console's own server, signed with SigV4 for service `rekognition` with
 * the session's keys, as the SDK signs its calls: for what the SDK has no command for (facekit's
 * extension operations, the kept source images).
 */
export async function signedFetch(
  path: string,
  init: {
    method: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    cache?: RequestCache;
  },
): Promise<Response> {
  const url = new URL(path, window.location.origin);
  const { accessKeyId, secretAccessKey, region } = session.credentials;
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service: 'rekognition',
    sha256: session.client.config.sha256,
  });
  const signed = await signer.sign({
    method: init.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: {},
    headers: { host: url.host, ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  // The browser sets Host itself (the same value); fetch drops the header.
  return fetch(url, {
    method: init.method,
    headers: signed.headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.cache ? { cache: init.cache } : {}),
  });
}
