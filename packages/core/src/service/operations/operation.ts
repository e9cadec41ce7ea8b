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

export function methodName<Op extends OperationName>(operation: Op): Uncapitalize<Op> {
  return (operation.charAt(0).toLowerCase() + operation.slice(1)) as Uncapitalize<Op>;
}
