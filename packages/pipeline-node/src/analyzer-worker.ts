// The worker side of `createNodeFaceAnalyzerPool`: one full analyzer (decoding, ONNX sessions)
// per thread, answering `analyze` messages from the pool.
import { parentPort, workerData } from 'node:worker_threads';
import type { AnalyzeOptions, ImageAnalysis, RgbImage } from '@facekit/core';
import { RekognitionError } from '@facekit/core';
import { createNodeFaceAnalyzer, type NodeFaceAnalyzerOptions } from './node-face-analyzer.js';

/** A request from the pool. */
export type WorkerRequest =
  | { id: number; kind: 'analyze'; bytes: Uint8Array; options: AnalyzeOptions }
  | {
      id: number;
      kind: 'analyzePixels';
      image: RgbImage;
      options: AnalyzeOptions & { tryTurned?: boolean };
    }
  | { id: number; kind: 'load' }
  | { id: number; kind: 'close' };

/** The answer to the request with the same `id`. */
export type WorkerResponse =
  | { id: number; ok: true; analysis?: ImageAnalysis }
  | { id: number; ok: false; error: SerializedError };

/** An error as it crosses threads: core errors keep their wire name and are rebuilt as such. */
export interface SerializedError {
  name: string;
  message: string;
  rekognition: boolean;
  stack?: string;
}

const port = parentPort;
if (!port) throw new Error('analyzer-worker.ts runs only as a worker thread');

const analyzer = createNodeFaceAnalyzer(workerData as NodeFaceAnalyzerOptions);
// Answered as an error to the first request; the pool reports it.
analyzer.catch(() => undefined);

port.on('message', async (request: WorkerRequest) => {
  try {
    const a = await analyzer;
    let analysis: ImageAnalysis | undefined;
    if (request.kind === 'analyze') analysis = await a.analyze(request.bytes, request.options);
    else if (request.kind === 'analyzePixels') {
      if (!a.analyzePixels) throw new Error('This analyzer cannot analyse decoded frames.');
      analysis = await a.analyzePixels(request.image, request.options);
    } else if (request.kind === 'load') await a.load();
    else await a.close();
    const response: WorkerResponse = { id: request.id, ok: true, analysis };
    port.postMessage(response);
  } catch (error) {
    const e = error as Error;
    const response: WorkerResponse = {
      id: request.id,
      ok: false,
      error: {
        name: String(e?.name ?? 'Error'),
        message: String(e?.message ?? error),
        rekognition: RekognitionError.isInstance(error),
        stack: e?.stack,
      },
    };
    port.postMessage(response);
  }
});
