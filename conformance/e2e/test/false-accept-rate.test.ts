import {
  CompareFacesCommand,
  IndexFacesCommand,
  RekognitionClient,
  SearchFacesCommand,
} from '@aws-sdk/client-rekognition';
import { runCli } from '@facekit/cli';
import { type AnalyzedFace, type FaceAnalyzer, FaceService } from '@facekit/core';
import { linearSimilarityScale } from '@facekit/core/analyzer';
import { l2Normalize } from '@facekit/core/vector';
import { MAX_FALSE_ACCEPT_RATE_HEADER } from '@facekit/server-hono';
import { type ListeningServer, serve } from '@facekit/server-hono/node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkFrontendAuth } from './harnesses.js';

/**
 * Matching by a target false accept rate instead of a threshold: in the service (RequestOptions),
 * over HTTP (the x-facekit-max-false-accept-rate header, added by an AWS SDK middleware) and in
 * the CLI (--max-false-accept-rate). A stand-in analyzer makes the similarities exact: an "image"
 * is JSON with one embedding per face, the scale is linear (cosine 0.7 = Similarity 70) and its
 * measured points say 50 ↔ 10%, 65 ↔ 1%, 80 ↔ 0.1% false accepts.
 */
const falseAcceptRates = [
  [50, 0.1],
  [65, 0.01],
  [80, 0.001],
] as const;

function vectorAt(cosine: number): number[] {
  return [cosine, Math.sqrt(1 - cosine * cosine), 0, 0];
}

function fakeImage(vectors: number[][]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(vectors));
}

const analyzer: FaceAnalyzer = {
  specificationVersion: 'v1',
  faceModelVersion: '7.0',
  similarity: { ...linearSimilarityScale, falseAcceptRates },
  async analyze(bytes, options) {
    const vectors = JSON.parse(new TextDecoder().decode(bytes)) as number[][];
    return {
      width: 1000,
      height: 1000,
      faces: vectors.map(
        (v, i): AnalyzedFace => ({
          detail: {
            BoundingBox: { Width: 0.2, Height: 0.2, Left: 0.1 + 0.25 * i, Top: 0.1 },
            Confidence: 99,
            Landmarks: [],
            Pose: { Roll: 0, Yaw: 0, Pitch: 0 },
            Quality: { Brightness: 60, Sharpness: 60 },
          },
          heightPx: 200,
          ...(i < options.embedLargest ? { embedding: l2Normalize(new Float32Array(v)) } : {}),
        }),
      ),
    };
  },
};

const similarities = { a: 0.9, b: 0.7, c: 0.55 } as const;
let service: FaceService;
let server: ListeningServer;
let queryFaceId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  service = new FaceService({ store: createMemoryFaceStore(), analyzers: [analyzer] });
  await service.createCollection({ CollectionId: 'far' });
  const index = async (v: number[], external: string) => {
    const out = await service.indexFaces({
      CollectionId: 'far',
      ExternalImageId: external,
      Image: { Bytes: Buffer.from(fakeImage([v])).toString('base64') },
    });
    return out.FaceRecords?.[0]?.Face?.FaceId as string;
  };
  queryFaceId = await index(vectorAt(1), 'query');
  for (const [name, cosine] of Object.entries(similarities))
    ids[name] = await index(vectorAt(cosine), name);
  // SigV4 on: the header is added before signing, so it is signed and verified with the rest.
  server = await serve({
    service,
    port: 0,
    hostname: '127.0.0.1',
    auth: sdkFrontendAuth('000000000000'),
  });
});

afterAll(async () => {
  await server?.close();
  await service?.store.close();
});

const matched = (matches: { Face?: { ExternalImageId?: string } }[] | undefined) =>
  (matches ?? []).map((m) => m.Face?.ExternalImageId).sort();

describe('FaceService: RequestOptions.maxFalseAcceptRate', () => {
  it('turns the rate into the threshold the model measured for it', async () => {
    const at = async (rate: number) =>
      matched(
        (
          await service.searchFaces(
            { CollectionId: 'far', FaceId: queryFaceId },
            { maxFalseAcceptRate: rate },
          )
        ).FaceMatches,
      );
    expect(await at(0.001)).toEqual(['a']); // ≥ 80
    expect(await at(0.01)).toEqual(['a', 'b']); // ≥ 65
    expect(await at(0.1)).toEqual(['a', 'b', 'c']); // ≥ 50
  });

  it('applies to SearchFacesByImage and CompareFaces too', async () => {
    const query = Buffer.from(fakeImage([vectorAt(1)])).toString('base64');
    const search = await service.searchFacesByImage(
      { CollectionId: 'far', Image: { Bytes: query } },
      { maxFalseAcceptRate: 0.01 },
    );
    expect(matched(search.FaceMatches)).toEqual(['a', 'b', 'query']);
    const targets = Buffer.from(fakeImage([vectorAt(0.9), vectorAt(0.7), vectorAt(0.55)])).toString(
      'base64',
    );
    const compare = await service.compareFaces(
      { SourceImage: { Bytes: query }, TargetImage: { Bytes: targets } },
      { maxFalseAcceptRate: 0.001 },
    );
    expect(compare.FaceMatches).toHaveLength(1);
    expect(compare.UnmatchedFaces).toHaveLength(2);
  });

  it('refuses a rate outside the measured range and a threshold given as well', async () => {
    await expect(
      service.searchFaces(
        { CollectionId: 'far', FaceId: queryFaceId },
        { maxFalseAcceptRate: 0.0001 },
      ),
    ).rejects.toThrow(/outside what face model 7.0 was measured at: 0.001 to 0.1/);
    await expect(
      service.searchFaces(
        { CollectionId: 'far', FaceId: queryFaceId, FaceMatchThreshold: 90 },
        { maxFalseAcceptRate: 0.01 },
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('is ignored by operations without a match threshold', async () => {
    const out = await service.execute(
      'DescribeCollection',
      { CollectionId: 'far' },
      { maxFalseAcceptRate: 0.5 },
    );
    expect(out.FaceCount).toBe(4);
  });
});

describe('HTTP: the x-facekit-max-false-accept-rate header, added by an AWS SDK middleware', () => {
  function clientWithRate(rate: string | undefined) {
    const client = new RekognitionClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDFACEKITTEST', secretAccessKey: 'facekit-test-secret' },
    });
    if (rate !== undefined) {
      // The README's recipe: every request of this client carries the header.
      client.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { headers: Record<string, string> };
          request.headers[MAX_FALSE_ACCEPT_RATE_HEADER] = rate;
          return next(args);
        },
        { step: 'build', name: 'facekitMaxFalseAcceptRate' },
      );
    }
    return client;
  }

  it('matches at the measured threshold; without the header, at 80 as always', async () => {
    for (const [rate, expected] of [
      ['0.001', ['a']],
      ['0.01', ['a', 'b']],
      ['1e-1', ['a', 'b', 'c']],
      [undefined, ['a']],
    ] as const) {
      const client = clientWithRate(rate);
      const out = await client.send(
        new SearchFacesCommand({ CollectionId: 'far', FaceId: queryFaceId }),
      );
      expect(matched(out.FaceMatches), String(rate)).toEqual(expected);
      client.destroy();
    }
  });

  it('answers InvalidParameterException for a bad or out-of-range rate', async () => {
    for (const [rate, message] of [
      ['0.00001', /measured at: 0.001 to 0.1/],
      ['lots', /must be a fraction between 0 and 1/],
      ['1.5', /must be a fraction between 0 and 1/],
    ] as const) {
      const client = clientWithRate(rate);
      await expect(
        client.send(new SearchFacesCommand({ CollectionId: 'far', FaceId: queryFaceId })),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringMatching(message),
      });
      client.destroy();
    }
  });

  it('leaves operations without a threshold alone (a client-wide middleware is safe)', async () => {
    const client = clientWithRate('0.01');
    const out = await client.send(
      new IndexFacesCommand({
        CollectionId: 'far',
        ExternalImageId: 'query',
        Image: { Bytes: fakeImage([vectorAt(1)]) },
      }),
    );
    expect(out.FaceRecords?.[0]?.Face?.FaceId).toBe(queryFaceId);
    const compare = await client.send(
      new CompareFacesCommand({
        SourceImage: { Bytes: fakeImage([vectorAt(1)]) },
        TargetImage: { Bytes: fakeImage([vectorAt(0.7)]) },
      }),
    );
    expect(compare.FaceMatches).toHaveLength(1);
    client.destroy();
  });
});

describe('CLI: --max-false-accept-rate', () => {
  async function cli(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const result = await runCli([...argv, '--endpoint', server.url, '--output', 'json'], {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env: { AWS_ACCESS_KEY_ID: 'AKIDFACEKITTEST', AWS_SECRET_ACCESS_KEY: 'facekit-test-secret' },
    });
    return {
      code: result.kind === 'exit' ? result.exitCode : -1,
      out: out.join(''),
      err: err.join(''),
    };
  }

  it('sends the header through the SDK', async () => {
    const run = await cli(['search-face', 'far', queryFaceId, '--max-false-accept-rate', '0.01']);
    expect(run.err).toBe('');
    expect(matched(JSON.parse(run.out).FaceMatches)).toEqual(['a', 'b']);
  });

  it('explains what it takes', async () => {
    const bad = await cli(['search-face', 'far', queryFaceId, '--max-false-accept-rate', '2']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/expected a fraction between 0 and 1/);
    const both = await cli([
      'search-face',
      'far',
      queryFaceId,
      '--max-false-accept-rate',
      '0.01',
      '--threshold',
      '70',
    ]);
    expect(both.err).toMatch(/either --threshold or --max-false-accept-rate/);
    const outside = await cli([
      'search-face',
      'far',
      queryFaceId,
      '--max-false-accept-rate',
      '0.0001',
    ]);
    expect(outside.code).toBe(1);
    expect(outside.err).toMatch(/InvalidParameterException: .*0.001 to 0.1/);
  });
});
