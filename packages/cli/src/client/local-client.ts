import { type FaceService, RekognitionError } from '@facekit/core';
import { createLocalServices, type LocalServiceConfig } from '../local-service.js';
import {
  type ApiClient,
  ApiError,
  encodeBytes,
  imageExtensions,
  imageOperations,
} from './api-client.js';

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

  const serviceFor = (needsModels: boolean): Promise<FaceService> => {
    if (!needsModels || config.faceModel === 'none') {
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
      const target = await serviceFor(imageOperations.has(operation));
      try {
        return await target.execute(operation, encodeBytes(input), options);
      } catch (error) {
        if (!RekognitionError.isInstance(error)) throw error;
        throw new ApiError(error.name, error.message, { cause: error });
      }
    },
    async callExtension(operation, input, options) {
      const target = await serviceFor(imageExtensions.has(operation));
      try {
        return await target.executeExtension(operation, encodeBytes(input), options);
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
