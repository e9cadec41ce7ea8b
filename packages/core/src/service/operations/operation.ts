import type {
  ExtensionOperationName,
  ExtensionOperationShapes,
} from '../../model/extension-model.js';
import type { OperationName, OperationShapes } from '../../model/wire-types.generated.js';
import type { RequestOptions } from '../request-options.js';
import type { ServiceContext } from '../service-context.js';

/** One operation: a plain function of the service's context and a validated wire input. */
export type OperationHandler<Op extends OperationName> = (
  context: ServiceContext,
  input: OperationShapes[Op]['input'],
  options: RequestOptions,
) => Promise<OperationShapes[Op]['output']>;

/** `indexFaces` for `IndexFaces`: the name of an operation's handler and typed method. */
export type MethodName = Uncapitalize<OperationName>;

/** The operation a method name stands for (`IndexFaces` for `indexFaces`). */
export type OperationOf<M extends MethodName> = Extract<OperationName, Capitalize<M>>;

export type OperationHandlers<M extends MethodName = MethodName> = {
  [K in M]: OperationHandler<OperationOf<K>>;
};

/**
 * Types a group of handlers (one file of `operations/`) against the API model. Handlers are named
 * as the service's methods (`indexFaces` for IndexFaces), so their TSDoc is the methods' TSDoc.
 */
export function defineOperations<
  T extends { [K in keyof T]: K extends MethodName ? OperationHandler<OperationOf<K>> : never },
>(handlers: T): T {
  return handlers;
}

export function methodName<Op extends string>(operation: Op): Uncapitalize<Op> {
  return (operation.charAt(0).toLowerCase() + operation.slice(1)) as Uncapitalize<Op>;
}

/** One extension operation (`FacekitService.*`): the same kind of function as the others. */
export type ExtensionOperationHandler<Op extends ExtensionOperationName> = (
  context: ServiceContext,
  input: ExtensionOperationShapes[Op]['input'],
  options: RequestOptions,
) => Promise<ExtensionOperationShapes[Op]['output']>;

/** `clusterFaces` for `ClusterFaces`. */
export type ExtensionMethodName = Uncapitalize<ExtensionOperationName>;

export type ExtensionOperationOf<M extends ExtensionMethodName> = Extract<
  ExtensionOperationName,
  Capitalize<M>
>;

export type ExtensionOperationHandlers<M extends ExtensionMethodName = ExtensionMethodName> = {
  [K in M]: ExtensionOperationHandler<ExtensionOperationOf<K>>;
};

/** {@link defineOperations} for extension operations, typed against `model/extension-model.ts`. */
export function defineExtensionOperations<
  T extends {
    [K in keyof T]: K extends ExtensionMethodName
      ? ExtensionOperationHandler<ExtensionOperationOf<K>>
      : never;
  },
>(handlers: T): T {
  return handlers;
}
