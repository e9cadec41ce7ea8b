import { Sha256 } from '@aws-crypto/sha256-js';
import { sha256Hex } from '@facekit/core/onnx-models';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, QueryParameterBag } from '@smithy/types';

/** One access key the server accepts, and the account it acts for. */
export interface AccessKey {
  /** `AWS_ACCESS_KEY_ID` of the client. */
  readonly accessKeyId: string;
  /** `AWS_SECRET_ACCESS_KEY` of the client; never leaves the server. */
  readonly secretAccessKey: string;
  /** 12-digit account id: the key sees and changes only this account's collections. */
  readonly accountId: string;
}

/**
 * The errors AWS JSON services (DynamoDB, Cognito, Rekognition: the "Coral" stack) send for
 * authentication failures, all with HTTP 400. They are not in the Rekognition model, so the JS SDK
 * surfaces them as a `RekognitionServiceException` named after the code; botocore as a
 * `ClientError` with that code.
 */
export type AuthErrorType =
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException';

/** A request that failed authentication; `createApp` turns it into an AWS JSON error. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly type: AuthErrorType,
    message: string,
  ) {
    super(message);
  }
}

export interface SigV4VerifierOptions {
  readonly accessKeys: readonly AccessKey[];
  /** Signing name the credential scope must carry. Default `rekognition`. */
  readonly service?: string;
  /** Largest accepted difference between `X-Amz-Date` and the server clock. Default 15 minutes. */
  readonly maxClockSkewMs?: number;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

/** What the headers say, checked before the body is read. */
export interface SignedRequestClaim {
  readonly key: AccessKey;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly region: string;
  readonly signingDate: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Verifies AWS Signature Version 4 (`Authorization: AWS4-HMAC-SHA256 ...`) as AWS does: the
 * request is signed again with the stored secret of the access key it names, over exactly the
 * headers the client listed in `SignedHeaders`, the path, the query and the SHA-256 of the body
 * that actually arrived; the two signatures are compared in constant time.
 *
 * The signing itself is `@smithy/signature-v4`, the signer of the AWS SDK for JavaScript, so both
 * sides build the canonical request with the same code. Runs on any runtime with WebCrypto.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
export class SigV4Verifier {
  readonly #keys: ReadonlyMap<string, AccessKey>;
  readonly #service: string;
  readonly #maxSkewMs: number;
  readonly #now: () => number;

  constructor(options: SigV4VerifierOptions) {
    const keys = new Map<string, AccessKey>();
    for (const key of options.accessKeys) {
      if (keys.has(key.accessKeyId)) {
        throw new Error(`Access key ${key.accessKeyId} is configured twice`);
      }
      keys.set(key.accessKeyId, key);
    }
    this.#keys = keys;
    this.#service = options.service ?? 'rekognition';
    this.#maxSkewMs = options.maxClockSkewMs ?? 15 * 60 * 1000;
    this.#now = options.now ?? (() => Date.now());
  }

  /** Account ids of the configured keys. */
  get accountIds(): ReadonlySet<string> {
    return new Set([...this.#keys.values()].map((k) => k.accountId));
  }

  /**
   * Checks everything the headers alone can tell (format, key, clock), so unauthenticated
   * clients are turned away before their body is read.
   * @throws {AuthError}
   */
  checkHeaders(headers: Headers, url: URL): SignedRequestClaim {
    const authorization = headers.get('authorization');
    if (authorization === null || authorization.trim() === '') {
      if (url.searchParams.has('X-Amz-Signature') || url.searchParams.has('X-Amz-Credential')) {
        throw new AuthError(
          'MissingAuthenticationTokenException',
          'Request is missing Authentication Token: query-string (presigned URL) authentication is not supported; sign the Authorization header as the AWS SDKs and the aws CLI do.',
        );
      }
      throw new AuthError(
        'MissingAuthenticationTokenException',
        'Request is missing Authentication Token: send an Authorization header signed with AWS Signature Version 4 (any AWS SDK or the aws CLI does), with an access key configured on this server.',
      );
    }
    const space = authorization.indexOf(' ');
    const algorithm = space < 0 ? authorization : authorization.slice(0, space);
    if (algorithm !== ALGORITHM) {
      throw new AuthError(
        'IncompleteSignatureException',
        `Unsupported Authorization algorithm '${truncate(algorithm)}': expected ${ALGORITHM}.`,
      );
    }
    const params = new Map<string, string>();
    for (const part of authorization.slice(space + 1).split(',')) {
      const item = part.trim();
      if (item === '') continue;
      const eq = item.indexOf('=');
      if (eq < 0) {
        throw new AuthError(
          'IncompleteSignatureException',
          `'${truncate(item)}' not a valid key=value pair (missing equal-sign) in Authorization header.`,
        );
      }
      params.set(item.slice(0, eq), item.slice(eq + 1));
    }
    const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((p) => !params.get(p));
    const amzDate = headers.get('x-amz-date');
    const problems = missing.map((p) => `Authorization header requires '${p}' parameter.`);
    if (amzDate === null) problems.push("Authorization header requires an 'X-Amz-Date' header.");
    if (problems.length > 0)
      throw new AuthError('IncompleteSignatureException', problems.join(' '));

    const credential = (params.get('Credential') as string).split('/');
    if (credential.length !== 5) {
      throw new AuthError(
        'IncompleteSignatureException',
        `Credential must have the form <AccessKeyId>/<YYYYMMDD>/<region>/${this.#service}/aws4_request; got ${credential.length} parts.`,
      );
    }
    const [accessKeyId, scopeDate, region, service, terminator] = credential;
    if (service !== this.#service) {
      throw new AuthError(
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${this.#service}'.`,
      );
    }
    if (terminator !== 'aws4_request') {
      throw new AuthError(
        'InvalidSignatureException',
        `Credential should be scoped with a valid terminator: 'aws4_request', not '${truncate(terminator)}'.`,
      );
    }
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region)) {
      throw new AuthError(
        'InvalidSignatureException',
        `Credential should be scoped to a valid region, not '${truncate(region)}'.`,
      );
    }

    const signedHeaders = (params.get('SignedHeaders') as string).split(';');
    if (!signedHeaders.includes('host')) {
      throw new AuthError(
        'IncompleteSignatureException',
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      );
    }
    if (!signedHeaders.includes('x-amz-date')) {
      throw new AuthError(
        'IncompleteSignatureException',
        "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
      );
    }
    for (const name of signedHeaders) {
      if (name === '' || name !== name.toLowerCase() || !headers.has(name)) {
        throw new AuthError(
          'IncompleteSignatureException',
          `'${truncate(name)}' is named as a SignedHeader, but it does not exist in the HTTP request.`,
        );
      }
    }

    // No STS here: a session token can only belong to credentials issued elsewhere.
    if (headers.has('x-amz-security-token')) {
      throw new AuthError('UnrecognizedClientException', INVALID_TOKEN);
    }
    const key = this.#keys.get(accessKeyId);
    if (!key) throw new AuthError('UnrecognizedClientException', INVALID_TOKEN);

    const signingDate = parseAmzDate(amzDate as string);
    if (!signingDate) {
      throw new AuthError(
        'IncompleteSignatureException',
        `X-Amz-Date must be in the ISO-8601 basic format YYYYMMDD'T'HHMMSS'Z'; got '${truncate(amzDate as string)}'.`,
      );
    }
    if (scopeDate !== (amzDate as string).slice(0, 8)) {
      throw new AuthError(
        'InvalidSignatureException',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${truncate(scopeDate)}' != '${(amzDate as string).slice(0, 8)}', from '${amzDate}'.`,
      );
    }
    const now = this.#now();
    const minutes = Math.round(this.#maxSkewMs / 60_000);
    if (signingDate.getTime() < now - this.#maxSkewMs) {
      throw new AuthError(
        'InvalidSignatureException',
        `Signature expired: ${amzDate} is now earlier than ${basic(now - this.#maxSkewMs)} (${basic(now)} - ${minutes} min.)`,
      );
    }
    if (signingDate.getTime() > now + this.#maxSkewMs) {
      throw new AuthError(
        'InvalidSignatureException',
        `Signature not yet current: ${amzDate} is still later than ${basic(now + this.#maxSkewMs)} (${basic(now)} + ${minutes} min.)`,
      );
    }

    const signature = params.get('Signature') as string;
    return { key, signedHeaders, signature, region, signingDate };
  }

  /**
   * Signs the received request again and compares. `body` is exactly the bytes received.
   * @throws {AuthError} `InvalidSignatureException` when anything signed differs.
   */
  async verify(
    claim: SignedRequestClaim,
    method: string,
    url: URL,
    headers: Headers,
    body: Uint8Array,
  ): Promise<AccessKey> {
    const bodyHash = body.byteLength === 0 ? EMPTY_SHA256 : await sha256Hex(body);
    const claimedHash = headers.get('x-amz-content-sha256');
    if (claimedHash !== null && claimedHash !== bodyHash) {
      throw new AuthError(
        'InvalidSignatureException',
        claimedHash === 'UNSIGNED-PAYLOAD'
          ? 'UNSIGNED-PAYLOAD is not accepted: the request body must be signed.'
          : 'The provided x-amz-content-sha256 header does not match the SHA-256 of the request body.',
      );
    }

    const signed: Record<string, string> = {};
    for (const name of claim.signedHeaders) signed[name] = headers.get(name) as string;
    let path: string;
    try {
      // The signer escapes the path itself, as the client's signer did with the unescaped one.
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new AuthError('InvalidSignatureException', 'The request path is not valid.');
    }
    const request: HttpRequest = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      path,
      query: queryBag(url.searchParams),
      headers: signed,
      // The hash is taken from x-amz-content-sha256 when signed, else from the body (checked above).
      body: claim.signedHeaders.includes('x-amz-content-sha256') ? undefined : body,
    };
    const signer = new SignatureV4({
      credentials: {
        accessKeyId: claim.key.accessKeyId,
        secretAccessKey: claim.key.secretAccessKey,
      },
      region: claim.region,
      service: this.#service,
      sha256: Sha256,
      // Add no header the client did not sign.
      applyChecksum: false,
    });
    const resigned = await signer.sign(request, {
      signingDate: claim.signingDate,
      signingRegion: claim.region,
      signingService: this.#service,
      // Sign exactly the listed headers, including those the SDK would never sign (user-agent).
      signableHeaders: new Set(claim.signedHeaders),
    });
    const expected = /Signature=([0-9a-f]{64})$/.exec(resigned.headers.authorization ?? '')?.[1];
    const listed = /SignedHeaders=([^,]*),/.exec(resigned.headers.authorization ?? '')?.[1];
    if (
      expected === undefined ||
      listed !== claim.signedHeaders.join(';') ||
      !constantTimeEqual(expected, claim.signature)
    ) {
      throw new AuthError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    return claim.key;
  }
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i % (b.length || 1));
  return diff === 0;
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Reject 20261332T...: Date.UTC would roll it over into a real date.
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60
    ? date
    : undefined;
}

function basic(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function queryBag(params: URLSearchParams): QueryParameterBag {
  const bag: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const existing = bag[key];
    if (existing === undefined) bag[key] = value;
    else bag[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return bag;
}

/** Client text echoed in messages is cut short: messages are logged. */
function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
