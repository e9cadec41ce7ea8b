import {
  CreateCollectionCommand,
  DeleteCollectionCommand,
  DescribeCollectionCommand,
  ListCollectionsCommand,
  ListTagsForResourceCommand,
  RekognitionClient,
  RekognitionServiceException,
  TagResourceCommand,
} from '@aws-sdk/client-rekognition';
import { FaceService } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessKey, createAccountServices, createApp } from '../src/index.js';
import { type NodeServer, serve } from '../src/node.js';
import { expectAwsError, type SignedCallOptions, signedCall as signedCallWith } from './helpers.js';

const ALICE: AccessKey = {
  accessKeyId: 'AKIAALICE0000000001',
  secretAccessKey: 'alice-secret/with+base64=chars',
  accountId: '111111111111',
};
const BOB: AccessKey = {
  accessKeyId: 'AKIABOB000000000002',
  secretAccessKey: 'bob-secret',
  accountId: '222222222222',
};

function accountServices() {
  return createAccountServices({
    open: async (accountId) =>
      new FaceService({ store: createMemoryFaceStore(), accountId, region: 'eu-west-1' }),
    close: (service) => service.store.close(),
  });
}

/** {@link signedCall} as ALICE in eu-west-1 unless told otherwise. */
function signedCall(
  app: Parameters<typeof signedCallWith>[0],
  operation: string,
  body: string,
  options: SignedCallOptions & { key?: Pick<AccessKey, 'accessKeyId' | 'secretAccessKey'> } = {},
): Promise<Response> {
  return signedCallWith(app, options.key ?? ALICE, operation, body, {
    region: 'eu-west-1',
    ...options,
  });
}

describe('SigV4 on app.fetch', () => {
  const services = accountServices();
  const app = createApp({
    service: services.resolve,
    auth: { mode: 'sigv4', accessKeys: [ALICE, BOB] },
  });
  afterAll(() => services.close());

  it('accepts a correctly signed request and acts for the key’s account', async () => {
    const response = await signedCall(app, 'CreateCollection', '{"CollectionId":"mine"}');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      CollectionArn: 'aws:rekognition:eu-west-1:111111111111:collection/mine',
    });
  });

  it('refuses a request without Authorization: MissingAuthenticationTokenException', async () => {
    const response = await app.request('/', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'RekognitionService.ListCollections',
      },
      body: '{}',
    });
    await expectAwsError(response, 400, 'MissingAuthenticationTokenException');
  });

  it('refuses presigned (query-string) authentication with a clear message', async () => {
    const response = await app.request(
      '/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x&X-Amz-Signature=00',
      { method: 'POST', headers: { 'x-amz-target': 'RekognitionService.ListCollections' } },
    );
    const error = await expectAwsError(response, 400, 'MissingAuthenticationTokenException');
    expect(error.Message).toContain('presigned');
  });

  it('refuses an unknown access key: UnrecognizedClientException', async () => {
    const response = await signedCall(app, 'ListCollections', '{}', {
      key: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' },
    });
    const error = await expectAwsError(response, 400, 'UnrecognizedClientException');
    expect(error.Message).toBe('The security token included in the request is invalid.');
  });

  it('refuses a wrong secret: InvalidSignatureException', async () => {
    const response = await signedCall(app, 'ListCollections', '{}', {
      key: { accessKeyId: ALICE.accessKeyId, secretAccessKey: 'guessed' },
    });
    const error = await expectAwsError(response, 400, 'InvalidSignatureException');
    expect(error.Message).toMatch(/^The request signature we calculated does not match/);
  });

  it('refuses another key’s secret with this key’s id', async () => {
    const response = await signedCall(app, 'ListCollections', '{}', {
      key: { accessKeyId: ALICE.accessKeyId, secretAccessKey: BOB.secretAccessKey },
    });
    await expectAwsError(response, 400, 'InvalidSignatureException');
  });

  it.each([
    ['20 minutes old', -20, 'Signature expired'],
    ['20 minutes ahead', 20, 'Signature not yet current'],
  ])('refuses an X-Amz-Date %s', async (_, minutes, message) => {
    const response = await signedCall(app, 'ListCollections', '{}', {
      date: new Date(Date.now() + minutes * 60_000),
    });
    const error = await expectAwsError(response, 400, 'InvalidSignatureException');
    expect(error.Message).toContain(message);
    expect(error.Message).toContain('15 min.');
  });

  it('accepts a date 10 minutes off (inside the 15-minute window)', async () => {
    const response = await signedCall(app, 'ListCollections', '{}', {
      date: new Date(Date.now() - 10 * 60_000),
    });
    expect(response.status).toBe(200);
  });

  it('refuses a body changed after signing (x-amz-content-sha256 no longer matches)', async () => {
    const response = await signedCall(app, 'DeleteCollection', '{"CollectionId":"mine"}', {
      tamper: (headers) => ({ headers, body: '{"CollectionId":"your"}' }),
    });
    await expectAwsError(response, 400, 'InvalidSignatureException');
  });

  it('refuses a body changed together with its claimed hash', async () => {
    const body = '{"CollectionId":"your"}';
    const hash = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
    const response = await signedCall(app, 'DeleteCollection', '{"CollectionId":"mine"}', {
      tamper: (headers) => ({
        headers: {
          ...headers,
          'x-amz-content-sha256': hash.toString('hex'),
          'content-length': String(body.length),
        },
        body,
      }),
    });
    const error = await expectAwsError(response, 400, 'InvalidSignatureException');
    expect(error.Message).toMatch(/does not match the signature/);
  });

  it('refuses a signed header changed after signing (another operation)', async () => {
    const response = await signedCall(app, 'ListCollections', '{}', {
      tamper: (headers) => ({
        headers: { ...headers, 'x-amz-target': 'RekognitionService.DeleteCollection' },
      }),
    });
    await expectAwsError(response, 400, 'InvalidSignatureException');
  });

  it('refuses UNSIGNED-PAYLOAD', async () => {
    const response = await signedCall(app, 'ListCollections', '{}', {
      tamper: (headers) => ({
        headers: { ...headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      }),
    });
    const error = await expectAwsError(response, 400, 'InvalidSignatureException');
    expect(error.Message).toContain('UNSIGNED-PAYLOAD');
  });

  it('refuses a signature for another service', async () => {
    const response = await signedCall(app, 'ListCollections', '{}', { service: 'dynamodb' });
    const error = await expectAwsError(response, 400, 'InvalidSignatureException');
    expect(error.Message).toContain("'rekognition'");
  });

  it('refuses a session token (no STS here)', async () => {
    const response = await signedCall(app, 'ListCollections', '{}', {
      tamper: (headers) => ({ headers: { ...headers, 'x-amz-security-token': 'token' } }),
    });
    await expectAwsError(response, 400, 'UnrecognizedClientException');
  });

  it.each([
    ['Bearer abc', 'Unsupported Authorization algorithm'],
    ['AWS4-HMAC-SHA256 Credential=x', "requires 'Signature'"],
    ['AWS4-HMAC-SHA256 Credential', 'missing equal-sign'],
    [
      'AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host;x-amz-date, Signature=00',
      'Credential must have the form',
    ],
    [
      'AWS4-HMAC-SHA256 Credential=AKIAALICE0000000001/20260101/eu-west-1/rekognition/aws4_request, SignedHeaders=x-amz-date, Signature=00',
      "'Host'",
    ],
    [
      'AWS4-HMAC-SHA256 Credential=AKIAALICE0000000001/20260101/eu-west-1/rekognition/aws4_request, SignedHeaders=host;x-amz-date;x-missing, Signature=00',
      "'x-missing' is named as a SignedHeader",
    ],
  ])(
    'refuses a malformed Authorization %j: IncompleteSignatureException',
    async (value, message) => {
      const response = await app.request('http://facekit.test/', {
        method: 'POST',
        headers: {
          host: 'facekit.test',
          authorization: value,
          'x-amz-date': '20260101T000000Z',
          'x-amz-target': 'RekognitionService.ListCollections',
          'content-type': 'application/x-amz-json-1.1',
        },
        body: '{}',
      });
      const error = await expectAwsError(response, 400, 'IncompleteSignatureException');
      expect(error.Message).toContain(message);
    },
  );

  it('authenticates before anything else: an unknown target without a signature is not revealed', async () => {
    const response = await app.request('/', {
      method: 'POST',
      headers: { 'x-amz-target': 'Nope.Nope' },
    });
    await expectAwsError(response, 400, 'MissingAuthenticationTokenException');
  });

  it('keeps /health open for load balancers', async () => {
    expect((await app.request('/health')).status).toBe(200);
  });
});

describe('createApp configuration', () => {
  it('refuses one shared service for keys of two accounts', () => {
    const service = new FaceService({ store: createMemoryFaceStore() });
    expect(() => createApp({ service, auth: { mode: 'sigv4', accessKeys: [ALICE, BOB] } })).toThrow(
      /2 accounts/,
    );
  });

  it('requires an explicit auth mode', () => {
    const service = new FaceService({ store: createMemoryFaceStore() });
    expect(() => createApp({ service } as never)).toThrow(/auth must be/);
  });

  it('refuses the same access key twice', () => {
    const service = new FaceService({ store: createMemoryFaceStore() });
    expect(() =>
      createApp({ service, auth: { mode: 'sigv4', accessKeys: [ALICE, { ...ALICE }] } }),
    ).toThrow(/twice/);
  });
});

describe('accounts through the real AWS SDK (two key pairs, real HTTP)', () => {
  const services = accountServices();
  let server: NodeServer;
  let alice: RekognitionClient;
  let bob: RekognitionClient;
  const client = (key: Pick<AccessKey, 'accessKeyId' | 'secretAccessKey'>) =>
    new RekognitionClient({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
      maxAttempts: 1,
    });

  beforeAll(async () => {
    server = await serve({
      port: 0,
      service: services.resolve,
      auth: { mode: 'sigv4', accessKeys: [ALICE, BOB] },
    });
    alice = client(ALICE);
    bob = client(BOB);
  });
  afterAll(async () => {
    alice.destroy();
    bob.destroy();
    await server.close();
    await services.close();
  });

  it('gives each account its own collections, ARNs and namespace', async () => {
    const a = await alice.send(new CreateCollectionCommand({ CollectionId: 'family' }));
    expect(a.CollectionArn).toBe('aws:rekognition:eu-west-1:111111111111:collection/family');
    // The same id in another account is another collection, not a conflict.
    const b = await bob.send(new CreateCollectionCommand({ CollectionId: 'family' }));
    expect(b.CollectionArn).toBe('aws:rekognition:eu-west-1:222222222222:collection/family');
    await alice.send(new CreateCollectionCommand({ CollectionId: 'alice-only' }));

    expect((await alice.send(new ListCollectionsCommand({}))).CollectionIds).toEqual([
      'family',
      'alice-only',
    ]);
    expect((await bob.send(new ListCollectionsCommand({}))).CollectionIds).toEqual(['family']);
  });

  it('does not let one account read, tag or delete another’s collection', async () => {
    await expect(
      bob.send(new DescribeCollectionCommand({ CollectionId: 'alice-only' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      bob.send(new DeleteCollectionCommand({ CollectionId: 'alice-only' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const aliceArn = 'arn:aws:rekognition:eu-west-1:111111111111:collection/alice-only';
    await expect(
      bob.send(new TagResourceCommand({ ResourceArn: aliceArn, Tags: { stolen: 'yes' } })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(
      bob.send(new ListTagsForResourceCommand({ ResourceArn: aliceArn })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // Still there, untouched.
    const described = await alice.send(
      new DescribeCollectionCommand({ CollectionId: 'alice-only' }),
    );
    expect(described.CollectionARN).toBe(aliceArn);
    expect(
      (await alice.send(new ListTagsForResourceCommand({ ResourceArn: aliceArn }))).Tags,
    ).toEqual({});
  });

  it('lets the SDK correct a skewed client clock from the Date header and retry', async () => {
    const skewed = new RekognitionClient({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: ALICE,
      systemClockOffset: -20 * 60_000,
      maxAttempts: 2,
    });
    try {
      const listed = await skewed.send(new ListCollectionsCommand({}));
      expect(listed.$metadata.attempts).toBe(2);
      expect(skewed.config.systemClockOffset).toBeGreaterThan(-60_000);
    } finally {
      skewed.destroy();
    }
  });

  it('surfaces auth failures as named service exceptions in the SDK', async () => {
    const stranger = client({ accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' });
    const forger = client({ accessKeyId: ALICE.accessKeyId, secretAccessKey: 'forged' });
    try {
      const unknown = await stranger.send(new ListCollectionsCommand({})).catch((e) => e);
      expect(unknown).toBeInstanceOf(RekognitionServiceException);
      expect(unknown).toMatchObject({
        name: 'UnrecognizedClientException',
        $metadata: { httpStatusCode: 400 },
      });
      const forged = await forger.send(new ListCollectionsCommand({})).catch((e) => e);
      expect(forged).toMatchObject({ name: 'InvalidSignatureException' });
    } finally {
      stranger.destroy();
      forger.destroy();
    }
  });
});
