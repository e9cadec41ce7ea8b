import type {
  DecodeLimits,
  ImageDecoder,
  InferenceBackend,
  InferenceSession,
  ScalableImage,
} from '@facekit/core';

/** Time spent in one stage and how many calls it took. */
export interface StageTime {
  ms: number;
  calls: number;
}

/** Times the stages of an analyzer from outside, through its two seams; see {@link createStageTimer}. */
export interface StageTimer {
  /** `inner`, with every `decode` (and `open` and each raster it decodes) timed as stage `decode`. */
  decoder(inner: ImageDecoder): ImageDecoder;
  /** `inner`, with every model run timed as the stage `stageOf(name)` of its session's name. */
  backend(inner: InferenceBackend): InferenceBackend;
  /** The times gathered since the last call, by stage; resets them. */
  take(): Record<string, StageTime>;
}

/**
 * Wraps an `ImageDecoder` and an `InferenceBackend` so every decode and every model run is timed,
 * without touching the analyzer between them. Runs are queued one at a time, so each run's time
 * is its own and not the wait behind runs started concurrently (tiles, one landmark run per face):
 * onnxruntime-node already runs them one after another on the main thread and onnxruntime-web
 * queues them, so the queue changes no total.
 */
export function createStageTimer(
  stageOf: (modelName: string | undefined) => string,
  now: () => number = () => performance.now(),
): StageTimer {
  let totals = new Map<string, StageTime>();
  let tail: Promise<unknown> = Promise.resolve();
  const add = (stage: string, ms: number) => {
    const t = totals.get(stage) ?? { ms: 0, calls: 0 };
    totals.set(stage, { ms: t.ms + ms, calls: t.calls + 1 });
  };
  const timed = async <T>(stage: string, task: () => Promise<T>): Promise<T> => {
    const start = now();
    try {
      return await task();
    } finally {
      add(stage, now() - start);
    }
  };
  const queued = <T>(stage: string, task: () => Promise<T>): Promise<T> => {
    const result = tail.then(() => timed(stage, task));
    tail = result.catch(() => undefined);
    return result;
  };
  return {
    decoder: (inner) => ({
      specificationVersion: 'v1',
      name: inner.name,
      decode: (bytes, limits) => timed('decode', () => inner.decode(bytes, limits)),
      ...(inner.open && {
        open: async (bytes: Uint8Array, limits?: DecodeLimits): Promise<ScalableImage> => {
          const open = inner.open?.bind(inner);
          if (!open) throw new Error('unreachable');
          const image = await timed('decode', () => open(bytes, limits));
          return {
            width: image.width,
            height: image.height,
            format: image.format,
            orientation: image.orientation,
            frame: (minScale) => timed('decode', () => image.frame(minScale)),
          };
        },
      }),
    }),
    backend: (inner) => ({
      specificationVersion: 'v1',
      name: inner.name,
      async loadModel(model, options): Promise<InferenceSession> {
        const session = await inner.loadModel(model, options);
        const stage = stageOf(options?.name);
        return {
          inputNames: session.inputNames,
          outputNames: session.outputNames,
          run: (feeds) => queued(stage, () => session.run(feeds)),
          release: () => session.release(),
        };
      },
    }),
    take() {
      const taken = Object.fromEntries(totals);
      totals = new Map();
      return taken;
    },
  };
}
