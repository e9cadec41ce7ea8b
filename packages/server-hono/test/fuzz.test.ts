import { Sha256 } from '@aws-crypto/sha256-js';
import {
  type AnalyzedFace,
  type FaceAnalyzer,
  FaceService,
  InvalidImageFormatException,
  type OperationName,
  operationNames,
  operations,
} from '@facekit/core';
import { linearSimilarityScale } from '@facekit/core/analyzer';
import { l2Normalize } from '@facekit/core/vector';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessKey, createApp, type Logger } from '../src/index.js';
import { type NodeServer, serve } from '../src/node.js';

/**
 * Seeded, bounded fuzzing of the whole HTTP surface: thousands of generated requests, each of
 * which must get a well-formed AWS JSON answer of a type the operation declares (or a protocol
 * error), never an unhandled exception, never a hang; afterwards the data is intact.
 * The analyzer is a fake that checks only the magic bytes (real images are fuzzed against the
 * real pipeline in conformance/e2e); everything else is the real service on a memory store.
 */
const SEED = 20261128;
const PROTECTED = 'protected-collection-7f3a9c';
const KEY: AccessKey = {
  accessKeyId: 'AKIAFUZZ',
  secretAccessKey: 'fuzz-secret',
  accountId: '333333333333',
};

const JPEG = [0xff, 0xd8, 0xff, 0xe0];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Finds one face in anything that starts like a JPEG or PNG; its embedding depends on the bytes. */
const fakeAnalyzer: FaceAnalyzer = {
  specificationVersion: 'v1',
  faceModelVersion: '7.0',
  similarity: linearSimilarityScale,
  async analyze(bytes, options) {
    const isJpeg = JPEG.every((b, i) => bytes[i] === b);
    const isPng = PNG.every((b, i) => bytes[i] === b);
    if (!isJpeg && !isPng)
      throw new InvalidImageFormatException('Request has invalid image format.');
    const vector = new Float32Array(8);
    for (let i = 0; i < bytes.length; i++) vector[i % 8] += bytes[i];
    vector[0] += 1;
    const face: AnalyzedFace = {
      detail: {
        BoundingBox: { Width: 0.5, Height: 0.5, Left: 0.25, Top: 0.25 },
        Confidence: 99.9,
        Landmarks: [],
        Pose: { Roll: 0, Yaw: 0, Pitch: 0 },
        Quality: { Brightness: 70, Sharpness: 70 },
      },
      heightPx: 200,
      ...(options.embedLargest > 0 ? { embedding: l2Normalize(vector) } : {}),
    };
    return { width: 400, height: 400, faces: [face] };
  },
};

const protocolErrors = new Set(['SerializationException', 'UnknownOperationException']);
const authErrors = new Set([
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'UnrecognizedClientException',
]);

// ---- generators ----------------------------------------------------------------------------

const b64 = (bytes: number[] | Uint8Array) => Buffer.from(bytes).toString('base64');
const imageBytes = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }).map(b64) },
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 64 }).map((tail) => b64([...JPEG, ...tail])) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }).map((tail) => b64([...PNG, ...tail])) },
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) }, // not base64 at all
  { weight: 4, arbitrary: fc.constantFrom('====', 'QQ', 'QQ=', 'Q', '////', 'QQ==QQ==') },
  // Over 5 MiB once decoded, but under the body limit: the model's limit must catch it.
  { weight: 1, arbitrary: fc.constant('A'.repeat(7_000_004)) },
);
const image = fc.oneof(
  fc.record({ Bytes: imageBytes }),
  fc.record({ S3Object: fc.record({ Bucket: fc.string(), Name: fc.string() }) }),
  fc.record({ Bytes: imageBytes, S3Object: fc.constant({ Bucket: 'b', Name: 'n' }) }),
  fc.anything({ maxDepth: 2 }),
);
const id = fc.oneof(
  fc.constantFrom(PROTECTED, 'c1', 'u1', '', 'a b', '../../etc', 'x'.repeat(256)),
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^[a-zA-Z0-9_.-]{1,12}$/),
  fc.uuid(),
);
const scalar = fc.oneof(
  id,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(-1, 0, 4097, 1e308, '100', 'ALL', 'DEFAULT', 'AUTO', 'NONE', 'HIGH'),
);
const value = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 8 }) },
  { weight: 1, arbitrary: fc.array(id, { minLength: 4000, maxLength: 4200 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 5 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 10_000, maxLength: 50_000 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);
/** Members named as the model names them (so validation gets past the unknown-member check). */
const knownMember = fc.constantFrom(
  'CollectionId',
  'UserId',
  'FaceId',
  'FaceIds',
  'MaxResults',
  'MaxFaces',
  'MaxUsers',
  'NextToken',
  'ExternalImageId',
  'QualityFilter',
  'DetectionAttributes',
  'Attributes',
  'FaceMatchThreshold',
  'SimilarityThreshold',
  'UserMatchThreshold',
  'ClientRequestToken',
  'ResourceArn',
  'Tags',
  'TagKeys',
);
/** Requests that are often valid, so that successes are fuzzed too. */
const plausible = fc.record(
  {
    CollectionId: fc.constantFrom('c1', 'c2', 'fuzz.3'),
    Image: fc.uint8Array({ maxLength: 16 }).map((tail) => ({ Bytes: b64([...JPEG, ...tail]) })),
    SourceImage: fc.constant({ Bytes: b64([...PNG, 1]) }),
    TargetImage: fc.constant({ Bytes: b64([...JPEG, 2]) }),
    UserId: fc.constantFrom('u1', 'u2'),
    MaxResults: fc.integer({ min: 1, max: 10 }),
  },
  { requiredKeys: [] },
);
const input = fc.oneof(
  { weight: 3, arbitrary: plausible },
  { weight: 2, arbitrary: fc.dictionary(knownMember, value, { maxKeys: 5 }) },
  {
    weight: 2,
    arbitrary: fc.record(
      { CollectionId: id, Image: image, SourceImage: image, TargetImage: image },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      { CollectionId: id, FaceIds: fc.array(id, { maxLength: 5 }), UserId: id },
      { requiredKeys: [] },
    ),
  },
  // Unknown members.
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), value, { maxKeys: 4 }) },
);
const body = fc.oneof(
  { weight: 6, arbitrary: input.map((v) => JSON.stringify(v)) },
  // Malformed JSON: a valid body cut short, or with garbage inserted.
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        input.map((v) => JSON.stringify(v)),
        fc.nat(),
        fc.string({ maxLength: 3 }),
      )
      .map(([json, at, junk]) => json.slice(0, at % (json.length + 1)) + junk),
  },
  { weight: 1, arbitrary: fc.json() }, // any JSON, often not an object
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) }, // invalid UTF-8 and worse
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '{}',
      '[]',
      'null',
      '{"a":',
      '\u0000',
      '{"CollectionId":"\ud800"}',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('[', '{"a":[').map((open) => open.repeat(20_000)) },
  // Deeply nested but valid JSON, under a known and an unknown member.
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('CollectionId', 'Tags', 'FaceIds', 'Zzz')
      .map((m) => `{"${m}":${'['.repeat(50_000)}${']'.repeat(50_000)}}`),
  },
);
const operation = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...operationNames) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('DetectLabels', 'StartFaceSearch', '', 'createcollection'),
  },
);
const randomRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  operation,
  target: fc.oneof(
    { weight: 10, arbitrary: fc.constant('normal') },
    { weight: 1, arbitrary: fc.constantFrom('missing', 'other-prefix', 'lowercase') },
  ),
  contentType: fc.oneof(
    {
      weight: 10,
      arbitrary: fc.constantFrom('application/x-amz-json-1.1', 'application/json; charset=utf-8'),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        'text/plain',
        'application/xml',
        '',
        'application/x-amz-json-1.0',
      ),
    },
  ),
  body,
});
/** Requests shaped for their operation (often valid), so that successes are fuzzed too. */
const cid = fc.constantFrom('c1', 'c2', 'fuzz.3');
const jpeg = fc.uint8Array({ maxLength: 16 }).map((tail) => ({ Bytes: b64([...JPEG, ...tail]) }));
const shaped: Partial<Record<OperationName, fc.Arbitrary<Record<string, unknown>>>> = {
  ListCollections: fc.record({ MaxResults: fc.integer({ min: 1, max: 10 }) }, { requiredKeys: [] }),
  CreateCollection: fc.record({ CollectionId: cid }),
  DescribeCollection: fc.record({ CollectionId: cid }),
  ListFaces: fc.record({ CollectionId: cid }),
  ListUsers: fc.record({ CollectionId: cid }),
  CreateUser: fc.record({ CollectionId: cid, UserId: fc.constantFrom('u1', 'u2') }),
  DetectFaces: fc.record({ Image: jpeg }),
  IndexFaces: fc.record({ CollectionId: cid, Image: jpeg }),
  SearchFacesByImage: fc.record({ CollectionId: cid, Image: jpeg }),
  SearchUsersByImage: fc.record({ CollectionId: cid, Image: jpeg }),
  CompareFaces: fc.record({ SourceImage: jpeg, TargetImage: jpeg }),
};
const shapedRequest: fc.Arbitrary<FuzzRequest> = fc
  .constantFrom(...(Object.keys(shaped) as OperationName[]))
  .chain((op) =>
    (shaped[op] as fc.Arbitrary<Record<string, unknown>>).map((input) => ({
      operation: op as string,
      target: 'normal' as const,
      contentType: 'application/x-amz-json-1.1' as string | undefined,
      body: JSON.stringify(input) as string | Uint8Array,
    })),
  );
const request = fc.oneof(
  { weight: 4, arbitrary: randomRequest },
  { weight: 1, arbitrary: shapedRequest },
);
interface FuzzRequest {
  operation: string;
  target: 'normal' | 'missing' | 'other-prefix' | 'lowercase';
  contentType: string | undefined;
  body: string | Uint8Array;
}

const readOnly = /^(Describe|List|Search|Detect|Compare)/;

/** Valid requests may legitimately change data; the protected collection is only read. */
function skipIfItWouldChangeProtectedData(r: FuzzRequest): void {
  const text = typeof r.body === 'string' ? r.body : Buffer.from(r.body).toString('latin1');
  fc.pre(!text.includes(PROTECTED) || readOnly.test(r.operation));
}

function toInit(r: FuzzRequest): { headers: Record<string, string>; body: string | Uint8Array } {
  const headers: Record<string, string> = {};
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  if (r.target === 'normal') headers['x-amz-target'] = `RekognitionService.${r.operation}`;
  if (r.target === 'other-prefix') headers['x-amz-target'] = `DynamoDB_20120810.${r.operation}`;
  if (r.target === 'lowercase') headers['x-amz-target'] = `rekognitionservice.${r.operation}`;
  return { headers, body: r.body };
}

// ---- checks --------------------------------------------------------------------------------

/** The response is a success or a well-formed AWS JSON error of a type the operation declares. */
async function expectWellFormed(response: Response, r: FuzzRequest, signed = false) {
  const text = await response.text();
  const context = `${r.operation} ${JSON.stringify(String(r.body).slice(0, 200))} → ${response.status} ${text.slice(0, 300)}`;
  expect(response.headers.get('content-type'), context).toMatch(
    /^application\/(x-amz-json-1\.1|json)/,
  );
  const parsed = JSON.parse(text);
  if (response.status === 200) return;
  expect([400, 500], context).toContain(response.status);
  expect(parsed, context).toMatchObject({
    __type: expect.any(String),
    Message: expect.any(String),
  });
  expect(response.headers.get('x-amzn-ErrorType'), context).toBe(parsed.__type);
  expect(parsed.Message, context).not.toMatch(/\n\s+at /); // no stack trace
  const declared = new Set<string>(operations[r.operation as OperationName]?.errors ?? []);
  const allowed =
    protocolErrors.has(parsed.__type) ||
    declared.has(parsed.__type) ||
    (signed && authErrors.has(parsed.__type));
  expect(allowed, `${context}: ${parsed.__type} is not declared`).toBe(true);
  // 500 only for the declared server faults, never for a crash.
  if (response.status === 500) expect(parsed.__type, context).toBe('ThrottlingException');
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hang: no answer within ${ms} ms to ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---- the fuzz ------------------------------------------------------------------------------

describe(`fuzzing the HTTP API (fast-check seed ${SEED})`, () => {
  const unexpected: unknown[] = [];
  const logger: Logger = { info() {}, error: (_m, fields) => unexpected.push(fields) };
  const service = new FaceService({
    store: createMemoryFaceStore(),
    analyzers: [fakeAnalyzer],
    accountId: KEY.accountId,
  });
  let before: { faces: unknown; users: unknown; tags: unknown };

  const snapshot = async () => ({
    faces: await service.listFaces({ CollectionId: PROTECTED }),
    users: await service.listUsers({ CollectionId: PROTECTED }),
    tags: await service.listTagsForResource({
      ResourceArn: `arn:aws:rekognition:us-east-1:${KEY.accountId}:collection/${PROTECTED}`,
    }),
  });

  beforeAll(async () => {
    await service.createCollection({ CollectionId: PROTECTED, Tags: { keep: 'me' } });
    const indexed = await service.indexFaces({
      CollectionId: PROTECTED,
      Image: { Bytes: b64([...JPEG, 1, 2, 3]) },
      ExternalImageId: 'original',
    });
    await service.createUser({ CollectionId: PROTECTED, UserId: 'owner' });
    await service.associateFaces({
      CollectionId: PROTECTED,
      UserId: 'owner',
      FaceIds: [indexed.FaceRecords?.[0].Face?.FaceId as string],
    });
    before = await snapshot();
  });

  afterAll(async () => {
    expect(unexpected, 'unhandled exceptions were logged').toEqual([]);
    // Data intact, and a normal request still works.
    expect(await snapshot()).toEqual(before);
    const search = await service.searchFacesByImage({
      CollectionId: PROTECTED,
      Image: { Bytes: b64([...JPEG, 1, 2, 3]) },
    });
    expect(search.FaceMatches?.[0]?.Face?.ExternalImageId).toBe('original');
  });

  it('answers 3000 generated requests on app.fetch with well-formed errors', async () => {
    const app = createApp({ service, auth: { mode: 'none', accountId: KEY.accountId }, logger });
    const statuses = { ok: 0, error: 0 };
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        skipIfItWouldChangeProtectedData(r);
        const { headers, body } = toInit(r);
        const response = await withDeadline(
          Promise.resolve(app.request('/', { method: 'POST', headers, body })),
          5_000,
          r.operation,
        );
        if (response.status === 200) statuses.ok++;
        else statuses.error++;
        await expectWellFormed(response, r);
      }),
      { seed: SEED, numRuns: 3000, endOnFailure: true },
    );
    // The generators reach both sides: requests that succeed and requests that fail.
    expect(statuses.ok).toBeGreaterThan(200);
    expect(statuses.error).toBeGreaterThan(1000);
  }, 120_000);

  it('answers 400 generated requests with SigV4: forged or broken signatures never get through', async () => {
    const app = createApp({ service, auth: { mode: 'sigv4', accessKeys: [KEY] }, logger });
    const signer = new SignatureV4({
      credentials: KEY,
      region: 'us-east-1',
      service: 'rekognition',
      sha256: Sha256,
    });
    const mutation = fc.oneof(
      fc.constant('none' as const),
      fc.constant('drop-authorization' as const),
      fc.record({
        header: fc.constantFrom(
          'authorization',
          'x-amz-date',
          'x-amz-content-sha256',
          'host',
          'x-amz-target',
        ),
        value: fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,119}$/),
      }),
      fc.record({ flip: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(request, mutation, async (r, m) => {
        skipIfItWouldChangeProtectedData(r);
        const { headers, body } = toInit(r);
        const signed = await signer.sign({
          method: 'POST',
          protocol: 'http:',
          hostname: 'facekit.test',
          path: '/',
          query: {},
          headers: { ...headers, host: 'facekit.test' },
          body,
        });
        const sent = { ...signed.headers };
        if (m === 'drop-authorization') delete sent.authorization;
        else if (m !== 'none' && 'header' in m) sent[m.header] = m.value;
        else if (m !== 'none') {
          const sig = sent.authorization;
          const at = sig.length - 1 - (m.flip % 64);
          sent.authorization = sig.slice(0, at) + (sig[at] === '0' ? '1' : '0') + sig.slice(at + 1);
        }
        const response = await withDeadline(
          Promise.resolve(
            app.request('http://facekit.test/', { method: 'POST', headers: sent, body }),
          ),
          5_000,
          r.operation,
        );
        const status = response.status;
        const type = response.headers.get('x-amzn-ErrorType');
        await expectWellFormed(response, r, true);
        if (m !== 'none') {
          // Any change to what was signed is an authentication error, decided before the service.
          const unchanged =
            typeof m === 'object' && 'header' in m && m.value === signed.headers[m.header];
          if (!unchanged)
            expect(authErrors.has(type ?? ''), `${JSON.stringify(m)} → ${status} ${type}`).toBe(
              true,
            );
        } else {
          expect(authErrors.has(type ?? ''), `correctly signed → ${type}`).toBe(false);
        }
      }),
      { seed: SEED + 1, numRuns: 400, endOnFailure: true },
    );
  }, 120_000);

  describe('over real HTTP', () => {
    let server: NodeServer;
    beforeAll(async () => {
      server = await serve({
        service,
        auth: { mode: 'none', accountId: KEY.accountId },
        logger,
        port: 0,
      });
    });
    afterAll(() => server.close());

    it('answers 150 generated requests through a socket', async () => {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const { headers, body } = toInit(r);
          const response = await withDeadline(
            fetch(`${server.url}/`, { method: 'POST', headers, body }),
            5_000,
            r.operation,
          );
          await expectWellFormed(response, r);
        }),
        { seed: SEED + 2, numRuns: 150, endOnFailure: true },
      );
    }, 60_000);

    it('answers a body far over the limit with an AWS error, not a reset connection', async () => {
      const response = await fetch(`${server.url}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'RekognitionService.DetectFaces',
        },
        body: `{"Image":{"Bytes":"${'A'.repeat(20 * 1024 * 1024)}"}}`,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { __type: string }).__type).toBe('ImageTooLargeException');
    });
  });
});
