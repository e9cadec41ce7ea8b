import { type FaceService, type OperationName, RekognitionError } from '@facekit/core';
import { createLocalServices, type LocalServiceConfig } from '../local-service.js';
import { type ApiClient, ApiError, imageOperations } from './api-client.js';

export type LocalClientConfig = LocalServiceConfig;

/**
 * The service in-process on the data directory `serve` uses. The face models are loaded on the
 * first image operation only, so collection and face commands start instantly.
 */
export async function createLocalClient(config: LocalClientConfig): Promise<ApiClient> {
  const local = createLocalServices(config);
  const store = await local.openStore();
  let service = local.service(store);
  let withModels: Promise<FaceService> | undefined;

  // The extension operations analyse images (ExplainMatch: the kept source images too).
  const serviceFor = (operation: OperationName | 'facekit'): Promise<FaceService> => {
    if (
      (operation !== 'facekit' && !imageOperations.has(operation)) ||
      config.faceModel === 'none'
    ) {
      return withModels ?? Promise.resolve(service);
    }
    withModels ??= Promise.all([local.loadAnalyzers(), local.openImageObjects()]).then(() => {
      service = local.service(store);
      return service;
    });
    return withModels;
  };

  return {
    description: `local ${local.storeLocation}`,
    async call(operation, input, options) {
      const target = await serviceFor(operation);
      try {
        return await target.execute(operation, encodeBytes(input), options);
      } catch (error) {
        if (!RekognitionError.isInstance(error)) throw error;
        throw new ApiError(error.name, error.message, { cause: error });
      }
    },
    async callFacekit(operation, input, options) {
      const target = await serviceFor('facekit');
      try {
        return await target.executeFacekit(operation, encodeBytes(input), options);
      } catch (error) {
        if (!RekognitionError.isInstance(error)) throw error;
        throw new ApiError(error.name, error.message, { cause: error });
      }
    },
    async close() {
      await local.close();
      await store.close();
    },
  };
}

/** The service takes wire JSON, where blobs are base64. */
function encodeBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(encodeBytes);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeBytes(v)]));
  }
  return value;
}
