import { type FaceService, RekognitionError } from '@facekit/core';
import { createLocalServices, type LocalServiceConfig } from '../local-service.js';
import {
  type ApiClient,
  ApiError,
  encodeBytes,
  imageOperations,
  modelExtensions,
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
  let withModels: Promise<void> | undefined;
  let withVideo: Promise<void> | undefined;
  const renew = () => {
    service = local.service(store);
  };

  // One current service: models (and ffmpeg, for the video operations) are loaded once, and
  // every call after waits for them, so a video job and its Get… meet in the same service.
  const serviceFor = async (needsModels: boolean, needsVideo = false): Promise<FaceService> => {
    if (config.faceModel !== 'none') {
      if (needsModels || needsVideo) {
        withModels ??= Promise.all([local.loadAnalyzers(), local.openImageObjects()]).then(renew);
      }
      if (needsVideo) {
        withVideo ??= withModels?.then(() => local.openVideoDecoder()).then(renew);
      }
    }
    await withModels;
    await withVideo;
    return service;
  };

  return {
    description: `local ${local.storeLocation}`,
    async call(operation, input, options) {
      const target = await serviceFor(
        imageOperations.has(operation),
        operation === 'StartFaceDetection' || operation === 'StartFaceSearch',
      );
      try {
        return await target.execute(operation, encodeBytes(input), options);
      } catch (error) {
        if (!RekognitionError.isInstance(error)) throw error;
        throw new ApiError(error.name, error.message, { cause: error });
      }
    },
    async callExtension(operation, input, options) {
      const target = await serviceFor(modelExtensions.has(operation));
      try {
        return await target.executeExtension(operation, encodeBytes(input), options);
      } catch (error) {
        if (!RekognitionError.isInstance(error)) throw error;
        throw new ApiError(error.name, error.message, { cause: error });
      }
    },
    async close() {
      await service.closeVideoJobs();
      await local.close();
      await store.close();
    },
  };
}
