import { describe, expect, it } from 'vitest';
import { RekognitionError } from '../errors/rekognition-error.js';
import { collectionIdFromArn } from './collection-arn.js';

const scope = { region: 'eu-west-1', accountId: '111111111111' };

function errorName(arn: string): string | undefined {
  try {
    collectionIdFromArn(scope, arn);
    return undefined;
  } catch (error) {
    return RekognitionError.isInstance(error) ? error.name : String(error);
  }
}

describe('collectionIdFromArn', () => {
  it('reads the id from both ARN forms of its own account', () => {
    expect(
      collectionIdFromArn(scope, 'arn:aws:rekognition:eu-west-1:111111111111:collection/c'),
    ).toBe('c');
    expect(collectionIdFromArn(scope, 'aws:rekognition:eu-west-1:111111111111:collection/c')).toBe(
      'c',
    );
  });

  it('denies a collection of another account (AccessDeniedException), in any region', () => {
    expect(errorName('arn:aws:rekognition:eu-west-1:222222222222:collection/c')).toBe(
      'AccessDeniedException',
    );
    expect(errorName('aws:rekognition:us-east-1:222222222222:collection/c')).toBe(
      'AccessDeniedException',
    );
  });

  it('does not find other regions or resources (ResourceNotFoundException)', () => {
    expect(errorName('arn:aws:rekognition:us-east-1:111111111111:collection/c')).toBe(
      'ResourceNotFoundException',
    );
    expect(errorName('arn:aws:s3:::bucket')).toBe('ResourceNotFoundException');
  });
});
