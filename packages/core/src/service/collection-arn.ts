import { ResourceNotFoundException } from '../errors/exceptions.js';

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
 * @throws {ResourceNotFoundException} for any other resource, region or account.
 */
export function collectionIdFromArn(scope: ArnScope, arn: string): string {
  const prefix = collectionArn(scope, '');
  const full = arn.startsWith('aws:') ? `arn:${arn}` : arn;
  const collectionId = full.startsWith(prefix) ? full.slice(prefix.length) : '';
  if (!/^[a-zA-Z0-9_.-]{1,255}$/.test(collectionId)) {
    throw new ResourceNotFoundException(
      `The resource ${arn} does not exist: expected a collection ARN of the form ${prefix}<CollectionId>`,
    );
  }
  return collectionId;
}
