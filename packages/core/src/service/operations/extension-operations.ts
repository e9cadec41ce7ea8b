import type {
  ExtensionOperationName,
  ExtensionOperationShapes,
} from '../../model/extension-model.js';
import type { RequestOptions } from '../request-options.js';
import { calibrationOperations } from './calibration.js';
import { faceSeparationOperations } from './face-separations.js';
import { identificationHandlers } from './identification.js';
import type { ExtensionOperationHandlers, ExtensionOperationOf } from './operation.js';
import { peopleOperations } from './people.js';

/**
 * Every facekit extension operation (`X-Amz-Target: FacekitService.<Operation>`), beside the
 * Rekognition list in `index.ts`: `FaceService.executeExtension` dispatches through it and the
 * typed methods (`describeSimilarityCalibration`...) are made from it. A new operation is its
 * shapes in `model/extension-model.ts` and a handler in one of these groups (the type below
 * fails until every `ExtensionOperationName` has one).
 */
export const extensionHandlers = {
  ...calibrationOperations,
  ...identificationHandlers,
  ...peopleOperations,
  ...faceSeparationOperations,
} satisfies ExtensionOperationHandlers;

type Input<M extends keyof typeof extensionHandlers> =
  ExtensionOperationShapes[ExtensionOperationOf<M>]['input'];

/** One typed method per extension operation, as `OperationMethods` for Rekognition's. */
export type ExtensionMethods = {
  [M in keyof typeof extensionHandlers]: (
    ...args: Partial<Input<M>> extends Input<M>
      ? [input?: Input<M>, options?: RequestOptions]
      : [input: Input<M>, options?: RequestOptions]
  ) => Promise<ExtensionOperationShapes[ExtensionOperationOf<M>]['output']>;
};

export type { ExtensionOperationName };
