import type { OperationShapes } from '../../model/wire-types.generated.js';
import type { RequestOptions } from '../false-accept-rate.js';
import { collectionOperations } from './collections.js';
import { faceOperations } from './faces.js';
import { imageOperations } from './images.js';
import { indexFacesOperations } from './index-faces.js';
import type { OperationHandlers } from './operation.js';
import { tagOperations } from './tags.js';
import { userOperations } from './users.js';

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
} satisfies OperationHandlers;

/** `indexFaces` for `IndexFaces`: the name of an operation's typed method. */
export type MethodName<Op extends string> = Uncapitalize<Op>;

export function methodName<Op extends string>(operation: Op): MethodName<Op> {
  return (operation.charAt(0).toLowerCase() + operation.slice(1)) as MethodName<Op>;
}

/**
 * One typed method per operation (`createCollection(input, options?)`...); the input may be left
 * out when all its members are optional (ListCollections).
 */
export type OperationMethods = {
  [Op in keyof typeof operationHandlers as MethodName<Op>]: (
    ...args: Partial<OperationShapes[Op]['input']> extends OperationShapes[Op]['input']
      ? [input?: OperationShapes[Op]['input'], options?: RequestOptions]
      : [input: OperationShapes[Op]['input'], options?: RequestOptions]
  ) => Promise<OperationShapes[Op]['output']>;
};
