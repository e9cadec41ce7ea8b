import type { OperationShapes } from '../../model/wire-types.generated.js';
import type { RequestOptions } from '../request-options.js';
import { collectionOperations } from './collections.js';
import { faceOperations } from './faces.js';
import { imageOperations } from './images.js';
import { indexFacesOperations } from './index-faces.js';
import type { OperationHandlers, OperationOf } from './operation.js';
import { tagOperations } from './tags.js';
import { userOperations } from './users.js';
import { videoOperations } from './video.js';

/**
 * Every operation of the service, the one list it is declared in: `FaceService.execute`
 * dispatches through it and `FaceService`'s typed methods are made from it. A new operation is a
 * handler in one of these groups (the type below fails until every `OperationName` has one).
 */
export const operationHandlers = {
  ...collectionOperations,
  ...indexFacesOperations,
  ...faceOperations,
  ...imageOperations,
  ...userOperations,
  ...tagOperations,
  ...videoOperations,
} satisfies OperationHandlers;

type Input<M extends keyof typeof operationHandlers> = OperationShapes[OperationOf<M>]['input'];

/**
 * One typed method per operation (`createCollection(input, options?)`...), with the handler's
 * TSDoc; the input may be left out when all its members are optional (ListCollections).
 */
export type OperationMethods = {
  [M in keyof typeof operationHandlers]: (
    ...args: Partial<Input<M>> extends Input<M>
      ? [input?: Input<M>, options?: RequestOptions]
      : [input: Input<M>, options?: RequestOptions]
  ) => Promise<OperationShapes[OperationOf<M>]['output']>;
};
