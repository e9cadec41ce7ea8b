import { type FaceService, RekognitionError } from '@facekit/core';
import { ApiCallError, type ApiFrontend } from './api-frontend.js';

/** The core service called in-process: the reference every other frontend must match. */
export function createServiceFrontend(service: FaceService): ApiFrontend {
  return {
    name: 'core service',
    sendsRawInput: true,
    async call(operation, input) {
      try {
        // Round-trip through JSON so the scenarios see exactly what a wire client would.
        const output = await service.execute(operation, JSON.parse(JSON.stringify(input)));
        return JSON.parse(JSON.stringify(output ?? {}));
      } catch (error) {
        if (!RekognitionError.isInstance(error)) throw error;
        throw new ApiCallError(
          {
            name: error.name,
            message: error.message,
            httpStatus: error.$fault === 'server' ? 500 : 400,
          },
          { cause: error },
        );
      }
    },
  };
}
