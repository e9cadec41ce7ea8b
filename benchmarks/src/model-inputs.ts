import type { InferenceBackend, InferenceSession, Tensor } from '@facekit/core';
import { createPresetFaceAnalyzer } from '@facekit/core/analyzer';
import { createNapiImageDecoder } from '@facekit/image-napi';
import { loadModel } from '@facekit/models';
import { readImageForApi } from './image-bytes.js';

/** What {@link modelInputs} kept. */
export interface ModelInputs {
  /** Model id → a copy of every feed it was run with, in order. */
  feeds: Map<string, Record<string, Tensor>[]>;
  /** Model id → the model file the pipeline loaded. */
  modelBytes: Map<string, Uint8Array>;
  /** Faces found in all the photos. */
  faces: number;
}

/**
 * Runs the default pipeline (face model 1.0, no attributes) on `photos` over `base`, keeping the
 * inputs that the models `ids` receive: what the int8 quantiser calibrates on and the int8
 * benchmark compares the float and int8 models on.
 * @param embedLargest how many faces of each photo the embedder runs on.
 * @param onPhoto called after each photo, with how many are done.
 */
export async function modelInputs(
  base: InferenceBackend,
  ids: readonly string[],
  photos: readonly string[],
  embedLargest: number,
  onPhoto?: (done: number) => void,
): Promise<ModelInputs> {
  const feeds = new Map<string, Record<string, Tensor>[]>(ids.map((id) => [id, []]));
  const modelBytes = new Map<string, Uint8Array>();
  const backend: InferenceBackend = {
    specificationVersion: 'v1',
    name: base.name,
    async loadModel(bytes, options) {
      const session = await base.loadModel(bytes, options);
      const kept = feeds.get(options?.name ?? '');
      if (!kept) return session;
      modelBytes.set(options?.name ?? '', bytes);
      const wrapped: InferenceSession = {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        run(feed) {
          const copy = Object.entries(feed).map(([name, t]) => [
            name,
            { data: Float32Array.from(t.data), dims: [...t.dims] },
          ]);
          kept.push(Object.fromEntries(copy));
          return session.run(feed);
        },
        release: () => session.release(),
      };
      return wrapped;
    },
  };
  const analyzer = await createPresetFaceAnalyzer({
    backend,
    decoder: createNapiImageDecoder(),
    loadModel: (id) => loadModel(id),
    faceModelVersion: '1.0',
    attributes: false,
  });
  let faces = 0;
  try {
    for (const [i, path] of photos.entries()) {
      const image = await readImageForApi(path);
      const result = await analyzer.analyze(image.bytes, { attributes: ['DEFAULT'], embedLargest });
      faces += result.faces.length;
      onPhoto?.(i + 1);
    }
  } finally {
    await analyzer.close();
  }
  return { feeds, modelBytes, faces };
}
