import { AccessDeniedException, ResourceNotFoundException } from '../errors/exceptions.js';

export interface ArnScope {
  region: string;
  accountId: string;
}

/** `arn:aws:rekognition:<region>:<account>:collection/<id>`: DescribeCollection's `CollectionARN` and the tagging ARN. */
export function collectionArn(scope: ArnScope, collectionId: string): string {
  return `arn:aws:rekognition:${scope.region}:${scope.accountId}:collection/${collectionId}`;
}

/**
 * The collection id inside a tagging `ResourceArn`. Also accepts the `aws:rekognition:...` form
 * (no `arn:` prefix) that CreateCollection's documented `CollectionArn` uses, so a caller can pass
 * that value straight back.
 * @throws {AccessDeniedException} for a collection ARN of another account, as AWS answers a
 *   cross-account call without a resource policy.
 * @throws {ResourceNotFoundException} for any other resource or region.
 */
export function collectionIdFromArn(scope: ArnScope, arn: string): string {
  const prefix = collectionArn(scope, '');
  const full = arn.startsWith('aws:') ? `arn:${arn}` : arn;
  const account = /^arn:aws:rekognition:[^:]*:(\d{12}):collection\//.exec(full)?.[1];
  if (account !== undefined && account !== scope.accountId) {
    throw new AccessDeniedException(
      `Account ${scope.accountId} is not authorized to access ${arn}: the collection belongs to another account.`,
    );
  }
  const collectionId = full.startsWith(prefix) ? full.slice(prefix.length) : '';
  if (!/^[a-zA-Z0-9_.-]{1,255}$/.test(collectionId)) {
    throw new ResourceNotFoundException(
      `The resource ${arn} does not exist: expected a collection ARN of the form ${prefix}<CollectionId>`,
    );
  }
  return collectionId;
}
