import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type FaceAnalyzer, FaceService, type FaceStore } from '@facekit/core';
import type { FaceModelVersion } from '@facekit/pipeline-node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import type { ServeConfig } from './serve-config.js';
import { UsageError } from './usage-error.js';

export type ClosableAnalyzer = FaceAnalyzer & { close(): Promise<void> };

/** Opens the store `serve` and the local commands share: `<data-dir>/facekit.sqlite` or memory. */
export async function openStore(
  config: Pick<ServeConfig, 'store' | 'dataDir'>,
): Promise<{ store: FaceStore; location: string }> {
  if (config.store === 'memory') return { store: createMemoryFaceStore(), location: 'memory' };
  await mkdir(config.dataDir, { recursive: true });
  const location = join(config.dataDir, 'facekit.sqlite');
  return { store: await createSqliteFaceStore({ path: location }), location };
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
  config: Pick<ServeConfig, 'faceModel' | 'region' | 'accountId'>,
  store: FaceStore,
  analyzers: readonly FaceAnalyzer[],
): FaceService {
  return new FaceService({
    store,
    region: config.region,
    accountId: config.accountId,
    analyzers: [...analyzers],
    ...(config.faceModel === 'none' ? {} : { faceModelVersion: config.faceModel }),
  });
}
