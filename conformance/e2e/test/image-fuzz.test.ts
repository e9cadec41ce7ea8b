import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { FaceService, type OperationName, operations } from '@facekit/core';
import { createNodeFaceAnalyzer, faceModels } from '@facekit/pipeline-node';
import { createApp, type Logger } from '@facekit/server-hono';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { Transformer } from '@napi-rs/image';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceApiSamplesDir, repoRoot } from './sample-photos.js';

/**
 * Broken, hostile and odd image bytes through the HTTP app and the real pipeline (napi decoder,
 * ONNX models): truncated and bit-flipped JPEG and PNG, empty and header-only files, absurd
 * dimensions, decompression bombs. Every answer must be a success or an error the operation
 * declares, never a 500 or a crash, and the collection indexed before must be intact after.
 */
const SEED = 424242;
const modelsBuilt = Object.values(faceModels['1.0']).every((id) =>
  existsSync(join(repoRoot, 'models/dist', `${id}.onnx`)),
);
const samplesDir = faceApiSamplesDir;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An 8-bit gray PNG of zeros; `idat: false` leaves only the header (which declares the size). */
function zeroPng(width: number, height: number, idat = true): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr[8] = 8;
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...(idat
      ? [pngChunk('IDAT', deflateSync(new Uint8Array((width + 1) * height), { level: 9 }))]
      : []),
    pngChunk('IEND', new Uint8Array(0)),
  ];
  return new Uint8Array(Buffer.concat(parts));
}

describe.skipIf(!modelsBuilt)(
  `image fuzzing with the real pipeline (seed ${SEED})${modelsBuilt ? '' : ' (skipped: models not built; run pnpm build)'}`,
  () => {
    const jpeg = new Uint8Array(readFileSync(join(samplesDir, 'sample1.jpg')));
    let png: Uint8Array;
    let analyzer: Awaited<ReturnType<typeof createNodeFaceAnalyzer>>;
    let service: FaceService;
    let app: ReturnType<typeof createApp>;
    const unexpected: unknown[] = [];
    const logger: Logger = { info() {}, error: (_m, fields) => unexpected.push(fields) };
    let facesBefore: unknown;

    const call = async (operation: OperationName, input: unknown) => {
      const response = await app.request('/', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `RekognitionService.${operation}`,
        },
        body: JSON.stringify(input),
      });
      const body = (await response.json()) as Record<string, unknown>;
      return { status: response.status, body };
    };

    beforeAll(async () => {
      png = new Uint8Array(await new Transformer(jpeg).png());
      analyzer = await createNodeFaceAnalyzer({ faceModelVersion: '1.0' });
      service = new FaceService({ store: createMemoryFaceStore(), analyzers: [analyzer] });
      app = createApp({ service, auth: { mode: 'none' }, logger });
      await service.createCollection({ CollectionId: 'kept' });
      await service.createCollection({ CollectionId: 'scratch' });
      const indexed = await service.indexFaces({
        CollectionId: 'kept',
        Image: { Bytes: b64(jpeg) },
        ExternalImageId: 'sample1',
      });
      expect(indexed.FaceRecords?.length).toBeGreaterThan(0);
      facesBefore = await service.listFaces({ CollectionId: 'kept' });
    }, 60_000);

    afterAll(async () => {
      await analyzer?.close();
    });

    const original = fc.constantFrom('jpeg', 'png').map((kind) => (kind === 'jpeg' ? jpeg : png));
    const damaged = fc.oneof(
      // Truncated anywhere, including inside the header.
      fc
        .tuple(original, fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([bytes, f]) => bytes.slice(0, Math.floor(bytes.length * f))),
      // 1–20 bytes overwritten at random places.
      fc
        .tuple(
          original,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
            minLength: 1,
            maxLength: 20,
          }),
        )
        .map(([bytes, edits]) => {
          const copy = bytes.slice();
          for (const [at, value] of edits) copy[at % copy.length] = value;
          return copy;
        }),
      // Random bytes behind a valid signature.
      fc
        .tuple(
          fc.constantFrom([0xff, 0xd8, 0xff], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          fc.uint8Array({ maxLength: 2000 }),
        )
        .map(([magic, tail]) => new Uint8Array([...magic, ...tail])),
      fc.constantFrom(
        new Uint8Array(0),
        new Uint8Array([0xff, 0xd8]),
        zeroPng(100_000, 100_000, false), // absurd dimensions, header only
        zeroPng(60_000, 60_000, false),
        zeroPng(1, 1), // too small
      ),
    );
    const operation = fc.constantFrom<OperationName>(
      'DetectFaces',
      'IndexFaces',
      'SearchFacesByImage',
      'SearchUsersByImage',
      'CompareFaces',
    );

    it('answers 80 damaged images with declared errors or results, never a 500', async () => {
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(operation, damaged, async (op, bytes) => {
          const img = { Bytes: b64(bytes) };
          const input =
            op === 'CompareFaces'
              ? { SourceImage: img, TargetImage: { Bytes: b64(jpeg) } }
              : op === 'DetectFaces'
                ? { Image: img }
                : { CollectionId: op === 'IndexFaces' ? 'scratch' : 'kept', Image: img };
          const { status, body } = await call(op, input);
          const type = status === 200 ? 'ok' : String(body.__type);
          seen.set(type, (seen.get(type) ?? 0) + 1);
          if (status === 200) return;
          expect(status, JSON.stringify(body)).toBe(400);
          expect(operations[op].errors, `${op}: ${type} ${body.Message}`).toContain(type);
          expect(typeof body.Message).toBe('string');
        }),
        { seed: SEED, numRuns: 80, endOnFailure: true },
      );
      // The damage reaches the decoder's different refusals, not one early check.
      expect(seen.get('InvalidImageFormatException')).toBeGreaterThan(0);
      expect(seen.get('ImageTooLargeException')).toBeGreaterThan(0);
      expect(unexpected).toEqual([]);
    }, 180_000);

    it('survives a 16-megapixel decompression bomb under the pixel limit (25 KB of PNG)', async () => {
      const bomb = zeroPng(4000, 4000);
      expect(bomb.length).toBeLessThan(64 * 1024);
      const { status, body } = await call('DetectFaces', { Image: { Bytes: b64(bomb) } });
      expect(status).toBe(200);
      expect(body.FaceDetails).toEqual([]);
    }, 60_000);

    it('still has the collection intact and answers a normal search', async () => {
      expect(await service.listFaces({ CollectionId: 'kept' })).toEqual(facesBefore);
      const { status, body } = await call('SearchFacesByImage', {
        CollectionId: 'kept',
        Image: { Bytes: b64(jpeg) },
      });
      expect(status).toBe(200);
      const matches = body.FaceMatches as { Face: { ExternalImageId: string } }[];
      expect(matches[0].Face.ExternalImageId).toBe('sample1');
    }, 60_000);
  },
);
