import { Sha256 } from '@aws-crypto/sha256-js';
import { createMemorySourceImageStore, FaceService, type SourceImageStore } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  type AccessKey,
  createAccountServices,
  createApp,
  SOURCE_IMAGE_PATH,
  SOURCE_IMAGES_HEADER,
} from '../src/index.js';
import { expectAwsError } from './helpers.js';

const ALICE: AccessKey = {
  accessKeyId: 'AKIAALICE0000000001',
  secretAccessKey: 'alice-secret',
  accountId: '111111111111',
};
const BOB: AccessKey = {
  accessKeyId: 'AKIABOB000000000002',
  secretAccessKey: 'bob-secret',
  accountId: '222222222222',
};
const IMAGE_ID = '7d2b60ae-6f13-8f30-b422-e04df8745108';
/** The first bytes of a PNG are enough: the route serves what was kept, by its signature. */
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const files = new Map([['index.html', { body: '<!doctype html>', contentType: 'text/html' }]]);

/** Alice keeps images (one is kept); Bob's account keeps none. */
function makeApp(options: { console?: boolean } = {}) {
  const aliceImages: SourceImageStore = createMemorySourceImageStore();
  void aliceImages.put(IMAGE_ID, PNG);
  const services = createAccountServices({
    open: async (accountId) =>
      new FaceService({
        store: createMemoryFaceStore(),
        accountId,
        ...(accountId === ALICE.accountId ? { sourceImages: aliceImages } : {}),
      }),
    close: (service) => service.store.close(),
  });
  return createApp({
    service: services.resolve,
    auth: { mode: 'sigv4', accessKeys: [ALICE, BOB] },
    ...(options.console === false ? {} : { console: { files } }),
  });
}

/** A GET signed as the console signs it (`@smithy/signature-v4`, service `rekognition`). */
async function signedGet(
  app: ReturnType<typeof makeApp>,
  path: string,
  key: Pick<AccessKey, 'accessKeyId' | 'secretAccessKey'> = ALICE,
): Promise<Response> {
  const url = new URL(path, 'http://localhost');
  const signer = new SignatureV4({
    credentials: key,
    region: 'us-east-1',
    service: 'rekognition',
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    query: {},
    headers: { host: url.host },
  });
  return app.request(url.toString(), { method: 'GET', headers: signed.headers });
}

describe('kept source images for the console (GET /facekit/source-images/<ImageId>)', () => {
  it('serves a kept image to its own account, signed, never cached', async () => {
    const response = await signedGet(makeApp(), `${SOURCE_IMAGE_PATH}/${IMAGE_ID}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(PNG);
  });

  it('refuses unsigned and wrongly signed requests', async () => {
    const app = makeApp();
    await expectAwsError(
      await app.request(`${SOURCE_IMAGE_PATH}/${IMAGE_ID}`),
      400,
      'MissingAuthenticationTokenException',
    );
    await expectAwsError(
      await signedGet(app, `${SOURCE_IMAGE_PATH}/${IMAGE_ID}`, {
        accessKeyId: ALICE.accessKeyId,
        secretAccessKey: 'not-the-secret',
      }),
      400,
      'InvalidSignatureException',
    );
  });

  it("shows no account another account's images, and says when an account keeps none", async () => {
    const response = await signedGet(makeApp(), `${SOURCE_IMAGE_PATH}/${IMAGE_ID}`, BOB);
    await expectAwsError(response, 404, 'ResourceNotFoundException');
    expect(response.headers.get(SOURCE_IMAGES_HEADER)).toBe('none');
  });

  it('answers 404 for images not kept and for anything that is not an ImageId', async () => {
    const app = makeApp();
    for (const id of ['00000000-0000-0000-0000-000000000000', 'not-an-id', 'ABCDEF']) {
      const response = await signedGet(app, `${SOURCE_IMAGE_PATH}/${id}`);
      await expectAwsError(response, 404, 'ResourceNotFoundException');
      expect(response.headers.get(SOURCE_IMAGES_HEADER)).toBeNull();
    }
  });

  it('exists only with the console: otherwise a GET there is a 405 like any other', async () => {
    const response = await signedGet(
      makeApp({ console: false }),
      `${SOURCE_IMAGE_PATH}/${IMAGE_ID}`,
    );
    await expectAwsError(response, 405, 'UnknownOperationException');
  });
});
