import {
  type FaceAnalyzer,
  FaceService,
  type FaceStore,
  type ImageObjectSource,
  type SourceImageStore,
  type VideoDecoder,
  type VideoJobStore,
} from '@facekit/core';
import { faceModelSimilarityScales } from '@facekit/core/analyzer';
import type { FaceModelVersion } from '@facekit/pipeline-node';
import { openImageObjects } from './image-objects.js';
import type { ServeConfig } from './serve-config.js';
import { sourceImageOpener, sourceImagesDir } from './source-images.js';
import { type StoreConfig, storeOpener } from './stores.js';
import { UsageError } from './usage-error.js';
import { videoJobsDir } from './video-jobs.js';

export type ClosableAnalyzer = FaceAnalyzer & {
  close(): Promise<void>;
  /** Starts the analyzer's workers and sessions now rather than with the first image. */
  load?(): Promise<void>;
};

export type LocalServiceConfig = StoreConfig &
  Pick<ServeConfig, 'region' | 'faceModel' | 'runtime'> &
  Partial<Pick<ServeConfig, 'analyzerWorkers'>> &
  Partial<Pick<ServeConfig, 'keepSourceImages' | 'imageObjects'>>;

/**
 * Everything a {@link FaceService} of this process is made of, per account: the store of
 * `--store`/`--data-dir` (stores.ts), the kept images beside it (source-images.ts) and the face
 * analyzers, loaded once and shared by every account. `serve` opens one service per account,
 * the in-process commands the default account's; both assemble them here, so they always see
 * the same data configured the same way.
 */
export interface LocalServices {
  /** Where the default account's data lives, for people (`memory` for the memory store). */
  readonly storeLocation: string;
  /** Where the default account's kept images are (`memory` with the memory store). */
  readonly sourceImagesLocation: string;
  /** The analyzers loaded so far (none before {@link loadAnalyzers}, none for `none`). */
  readonly analyzers: readonly ClosableAnalyzer[];
  /** Opens (creating if needed) an account's store; the caller closes it. */
  openStore(accountId?: string): Promise<FaceStore>;
  /** The account's kept images (see {@link sourceImageOpener}), if any. */
  sourceImages(accountId?: string): SourceImageStore | undefined;
  /**
   * Loads every face model once (so collections made with an earlier default keep working), or
   * none for `--face-model none`; later calls return the same promise.
   * @throws {UsageError} for an unknown face model.
   */
  loadAnalyzers(): Promise<readonly ClosableAnalyzer[]>;
  /**
   * Opens where `Image.S3Object` is read from (`--s3-*`), if configured; services made after
   * read S3 objects through it. Later calls return the same promise.
   * @throws {UsageError} for a bad bucket mapping.
   */
  openImageObjects(): Promise<ImageObjectSource | undefined>;
  /**
   * Starts ffmpeg's video decoder (once; later calls return the same promise); services made
   * after decode video. Resolves to why video cannot be decoded when ffmpeg is missing.
   */
  openVideoDecoder(): Promise<VideoDecoder | string>;
  /**
   * The account's video jobs kept in `<data-dir>/video-jobs/` (in memory for the memory store),
   * for the one process serving that data: opening it fails the jobs left IN_PROGRESS.
   */
  openVideoJobs(accountId?: string): Promise<VideoJobStore | undefined>;
  /** The service of an account over its opened store, with the analyzers loaded so far. */
  service(store: FaceStore, accountId?: string, videoJobs?: VideoJobStore): FaceService;
  /** Closes the analyzers (stores belong to whoever opened them). */
  close(): Promise<void>;
}

export function createLocalServices(config: LocalServiceConfig): LocalServices {
  const stores = storeOpener(config);
  const keptImages = sourceImageOpener({
    ...config,
    keepSourceImages: config.keepSourceImages ?? false,
  });
  const analyzers: ClosableAnalyzer[] = [];
  let loading: Promise<readonly ClosableAnalyzer[]> | undefined;
  let objects: Awaited<ReturnType<typeof openImageObjects>>;
  let openingObjects: Promise<ImageObjectSource | undefined> | undefined;
  let videoDecoder: VideoDecoder | undefined;
  let openingDecoder: Promise<VideoDecoder | string> | undefined;
  const similarityScales = faceModelSimilarityScales();
  return {
    storeLocation: stores.location,
    sourceImagesLocation:
      config.store === 'memory' ? 'memory' : sourceImagesDir(config, config.accountId),
    analyzers,
    openStore: (accountId = config.accountId) => stores.open(accountId),
    sourceImages: (accountId = config.accountId) => keptImages(accountId),
    loadAnalyzers() {
      loading ??= loadAnalyzers(config).then((loaded) => {
        analyzers.push(...loaded);
        return analyzers;
      });
      return loading;
    },
    openImageObjects() {
      openingObjects ??= openImageObjects(config.imageObjects, config.region).then((opened) => {
        objects = opened;
        return opened;
      });
      return openingObjects;
    },
    openVideoDecoder() {
      openingDecoder ??= import('@facekit/video-ffmpeg')
        .then((video) => video.createFfmpegVideoDecoder())
        .then(
          (decoder) => {
            videoDecoder = decoder;
            return decoder;
          },
          (error: unknown) => (error as Error).message,
        );
      return openingDecoder;
    },
    async openVideoJobs(accountId = config.accountId) {
      if (config.store === 'memory') return undefined;
      const { createFileVideoJobStore } = await import('@facekit/video-ffmpeg');
      return createFileVideoJobStore(videoJobsDir(config, accountId));
    },
    service(store, accountId = config.accountId, videoJobs) {
      return new FaceService({
        store,
        sourceImages: keptImages(accountId),
        keepSourceImages: config.keepSourceImages ?? false,
        region: config.region,
        accountId,
        analyzers: [...analyzers],
        // Searches of stored faces score as with the models loaded, without loading them.
        similarityScales,
        ...(objects ? { imageObjects: objects } : {}),
        ...(videoDecoder ? { videoDecoder } : {}),
        ...(videoJobs ? { videoJobStore: videoJobs } : {}),
        ...(config.faceModel === 'none' ? {} : { faceModelVersion: config.faceModel }),
      });
    },
    async close() {
      await loading?.catch(() => undefined);
      await Promise.all(analyzers.map((a) => a.close()));
      await openingObjects?.catch(() => undefined);
      objects?.close();
    },
  };
}

/** Loads one face model's analyzer (`collections reindex` needs just the new one). */
export async function loadAnalyzer(
  faceModel: string,
  runtime: ServeConfig['runtime'],
): Promise<ClosableAnalyzer> {
  const { createNodeFaceAnalyzer } = await import('@facekit/pipeline-node');
  await checkFaceModel(faceModel, '');
  return createNodeFaceAnalyzer({ faceModelVersion: faceModel as FaceModelVersion, runtime });
}

/** Every face model's analyzer, or none for `none`; lazily imported so `none` loads no runtime. */
async function loadAnalyzers(
  config: Pick<ServeConfig, 'faceModel' | 'runtime'> &
    Partial<Pick<ServeConfig, 'analyzerWorkers'>>,
): Promise<ClosableAnalyzer[]> {
  if (config.faceModel === 'none') return [];
  const versions = await checkFaceModel(config.faceModel, ', none');
  const { createNodeFaceAnalyzer, createNodeFaceAnalyzerPool } = await import(
    '@facekit/pipeline-node'
  );
  const workers = config.analyzerWorkers ?? 'auto';
  const loaded = await Promise.allSettled(
    versions.map((faceModelVersion) =>
      // Worker threads start with the first image of each model, so unused models cost nothing.
      workers === 0
        ? createNodeFaceAnalyzer({ faceModelVersion, runtime: config.runtime })
        : createNodeFaceAnalyzerPool({
            faceModelVersion,
            runtime: config.runtime,
            ...(workers === 'auto' ? {} : { workers }),
          }),
    ),
  );
  const analyzers = loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = loaded.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(analyzers.map((a) => a.close()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return analyzers;
}

/**
 * The known face model versions; throws a {@link UsageError} when `faceModel` is not one
 * (`orNone`: text after the list, e.g. `, none` where `none` is allowed).
 */
export async function checkFaceModel(
  faceModel: string,
  orNone: string,
): Promise<FaceModelVersion[]> {
  const { faceModels } = await import('@facekit/pipeline-node');
  if (!(faceModel in faceModels)) {
    throw new UsageError(
      `unknown face model ${faceModel}; available: ${Object.keys(faceModels).join(', ')}${orNone}`,
    );
  }
  return Object.keys(faceModels) as FaceModelVersion[];
}
