import {
  type FaceAnalyzer,
  FaceService,
  type FaceStore,
  type SourceImageStore,
} from '@facekit/core';
import type { FaceModelVersion } from '@facekit/pipeline-node';
import type { ServeConfig } from './serve-config.js';
import { type StoreConfig, storeOpener } from './stores.js';
import { UsageError } from './usage-error.js';

export type ClosableAnalyzer = FaceAnalyzer & { close(): Promise<void> };

/** Opens the default account's store, the one `serve` uses for it. */
export async function openStore(
  config: StoreConfig,
): Promise<{ store: FaceStore; location: string }> {
  const opener = storeOpener(config);
  return { store: await opener.open(config.accountId), location: opener.location };
}

/**
 * Loads every face model (so collections made with an earlier default keep working), or none
 * for `--face-model none`. Loaded lazily so that `none` never touches onnxruntime or the models.
 * @throws {UsageError} for an unknown face model.
 */
export async function loadAnalyzers(
  config: Pick<ServeConfig, 'faceModel' | 'runtime'>,
): Promise<ClosableAnalyzer[]> {
  if (config.faceModel === 'none') return [];
  const { createNodeFaceAnalyzer, faceModels } = await import('@facekit/pipeline-node');
  if (!(config.faceModel in faceModels)) {
    throw new UsageError(
      `unknown face model ${config.faceModel}; available: ${Object.keys(faceModels).join(', ')}, none`,
    );
  }
  const versions = Object.keys(faceModels) as FaceModelVersion[];
  const loaded = await Promise.allSettled(
    versions.map((faceModelVersion) =>
      createNodeFaceAnalyzer({ faceModelVersion, runtime: config.runtime }),
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

/** The service over a store and analyzers, configured as `serve` configures it. */
export function createLocalService(
  config: Pick<ServeConfig, 'faceModel' | 'region' | 'accountId'> &
    Partial<Pick<ServeConfig, 'keepSourceImages'>>,
  store: FaceStore,
  analyzers: readonly FaceAnalyzer[],
  sourceImages?: SourceImageStore,
): FaceService {
  return new FaceService({
    store,
    sourceImages,
    keepSourceImages: config.keepSourceImages ?? false,
    region: config.region,
    accountId: config.accountId,
    analyzers: [...analyzers],
    ...(config.faceModel === 'none' ? {} : { faceModelVersion: config.faceModel }),
  });
}
