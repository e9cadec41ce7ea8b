import type { OperationName, OperationShapes } from '../../model/wire-types.generated.js';
import type { RequestOptions } from '../false-accept-rate.js';
import type { ServiceContext } from '../service-context.js';

/** One operation: a plain function of the service's context and a validated wire input. */
export type OperationHandler<Op extends OperationName> = (
  context: ServiceContext,
  input: OperationShapes[Op]['input'],
  options: RequestOptions,
) => Promise<OperationShapes[Op]['output']>;

export type OperationHandlers<Ops extends OperationName = OperationName> = {
  [Op in Ops]: OperationHandler<Op>;
};

/** Types a group of handlers (one file of `operations/`) against the API model. */
export function defineOperations<Ops extends OperationName>(
  handlers: OperationHandlers<Ops>,
): OperationHandlers<Ops> {
  return handlers;
}
