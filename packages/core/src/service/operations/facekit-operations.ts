import { type PeopleOperationShapes, peopleOperations } from '../../model/people-model.js';
import type { RequestOptions } from '../request-options.js';
import type { ServiceContext } from '../service-context.js';
import { explainMatch } from './explain-match.js';
import { whoIsInImage } from './who-is-in-image.js';

/** Input and output of each facekit extension operation. */
export type FacekitOperationShapes = PeopleOperationShapes;

export type FacekitOperationName = keyof FacekitOperationShapes;

interface FacekitOperation<Op extends FacekitOperationName> {
  /** Its request shape in `facekitShapes`. */
  requestShape: string;
  handler: (
    context: ServiceContext,
    input: FacekitOperationShapes[Op]['input'],
    options: RequestOptions,
  ) => Promise<FacekitOperationShapes[Op]['output']>;
}

/**
 * facekit's extension operations (`X-Amz-Target: FacekitService.<Operation>`): never a name in
 * Rekognition's namespace, and never a change to a Rekognition operation's shapes.
 */
export const facekitOperations: { [Op in FacekitOperationName]: FacekitOperation<Op> } = {
  WhoIsInImage: { requestShape: peopleOperations.WhoIsInImage.input, handler: whoIsInImage },
  ExplainMatch: { requestShape: peopleOperations.ExplainMatch.input, handler: explainMatch },
};

export const facekitOperationNames = Object.keys(facekitOperations) as FacekitOperationName[];
