import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compareToDocumented,
  loadDocumentedExamples,
  planExampleState,
} from './documented-examples.js';

const F1 = '11111111-1111-4111-8111-111111111111';
const F2 = '22222222-2222-4222-8222-222222222222';
const F3 = '33333333-3333-4333-8333-333333333333';
const F4 = '44444444-4444-4444-8444-444444444444';

describe('compareToDocumented', () => {
  it('accepts a response with the same structure, extra members and differing free values', () => {
    const documented = {
      FaceMatches: [
        { Face: { FaceId: F1, BoundingBox: { Width: 0.5 }, Confidence: 100 }, Similarity: 99.9 },
      ],
      SearchedFaceId: F2,
    };
    const actual = {
      FaceMatches: [
        {
          Face: { FaceId: F1, BoundingBox: { Width: 0.1 }, Confidence: 99, ImageId: 'x' },
          Similarity: 96,
        },
      ],
      SearchedFaceId: F2,
      FaceModelVersion: '7.0',
    };
    expect(compareToDocumented(documented, actual)).toEqual([]);
  });

  it('reports a missing member', () => {
    expect(
      compareToDocumented({ StatusCode: 200, CollectionArn: 'aws:x' }, { StatusCode: 200 }),
    ).toEqual(['CollectionArn: documented string, got absent']);
  });

  it('reports a type mismatch', () => {
    expect(compareToDocumented({ StatusCode: 200 }, { StatusCode: '200' })).toEqual([
      'StatusCode: documented number, got string',
    ]);
    expect(compareToDocumented({}, [])).toEqual(['(response): documented object, got array']);
  });

  it('reports a mismatch inside a nested list item', () => {
    const documented = { Faces: [{ FaceId: F1, BoundingBox: { Width: 0.2, Top: 0.1 } }] };
    const actual = {
      Faces: [
        { FaceId: F1, BoundingBox: { Width: 0.2, Top: 0.1 } },
        { FaceId: F2, BoundingBox: { Width: 0.3, Top: '0.1' } },
      ],
    };
    expect(compareToDocumented(documented, actual)).toEqual([
      'Faces[1].BoundingBox.Top: documented number, got string',
      `Faces[]: not documented ${F2}`,
    ]);
  });

  it('holds each list item to the documented item with the same identity', () => {
    const documented = {
      UnsuccessfulFaceAssociations: [
        { FaceId: F1, Confidence: 0.9, Reasons: ['LOW_MATCH_CONFIDENCE'] },
        { FaceId: F2, UserId: 'bo', Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
      ],
    };
    const actual = {
      UnsuccessfulFaceAssociations: [
        { FaceId: F2, UserId: 'bo', Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
        { FaceId: F1, Confidence: 12.5, Reasons: ['LOW_MATCH_CONFIDENCE'] },
      ],
    };
    expect(compareToDocumented(documented, actual)).toEqual([]);
  });

  it('passes empty lists and an absent NextToken, but not other absent members', () => {
    expect(
      compareToDocumented({ Users: [{ UserId: 'a' }], NextToken: 'abc' }, { Users: [] }),
    ).toEqual(['Users[].UserId: missing a']);
    expect(
      compareToDocumented({ Users: [] }, { Users: [{ UserId: 'a', UserStatus: 'ACTIVE' }] }),
    ).toEqual([]);
  });

  it('compares deterministic values as sets and ARNs without account and region', () => {
    const documented = {
      DeletedFaces: [F1, F2],
      CollectionArn: 'aws:rekognition:us-west-2:123456789012:collection/myphotos',
      UserStatus: 'UPDATING',
    };
    expect(
      compareToDocumented(documented, {
        DeletedFaces: [F2, F1],
        CollectionArn: 'aws:rekognition:eu-west-1:000000000000:collection/myphotos',
        UserStatus: 'ACTIVE',
      }),
    ).toEqual([]);
    expect(
      compareToDocumented(documented, {
        DeletedFaces: [F1, F3],
        CollectionArn: 'arn:aws:rekognition:eu-west-1:000000000000:collection/myphotos',
        UserStatus: 'ACTIVE',
      }),
    ).toEqual([
      'CollectionArn: documented aws:rekognition:<region>:<account>:collection/myphotos, got arn:aws:rekognition:<region>:<account>:collection/myphotos',
      `DeletedFaces[]: missing ${F2}`,
      `DeletedFaces[]: not documented ${F3}`,
    ]);
  });

  it('compares reasons and owners of unsuccessful faces', () => {
    const documented = {
      UnsuccessfulFaceDeletions: [
        { FaceId: F1, UserId: 'a', Reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] },
      ],
    };
    const actual = {
      UnsuccessfulFaceDeletions: [
        { FaceId: F1, UserId: 'b', Reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] },
      ],
    };
    expect(compareToDocumented(documented, actual)).toEqual([
      `UnsuccessfulFaceDeletions[]: missing ${F1} of a: ASSOCIATED_TO_AN_EXISTING_USER`,
      `UnsuccessfulFaceDeletions[]: not documented ${F1} of b: ASSOCIATED_TO_AN_EXISTING_USER`,
    ]);
  });
});

describe('planExampleState', () => {
  it('derives owners, unrelated faces and a first face for the user from AssociateFaces output', () => {
    const plan = planExampleState({
      operation: 'AssociateFaces',
      input: { CollectionId: 'c', UserId: 'me', FaceIds: [F1, F2, F3, F4], UserMatchThreshold: 70 },
      output: {
        AssociatedFaces: [{ FaceId: F3 }],
        UnsuccessfulFaceAssociations: [
          { FaceId: F1, Confidence: 0.9, Reasons: ['LOW_MATCH_CONFIDENCE'] },
          { FaceId: F2, UserId: 'other', Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
          { FaceId: F4, Reasons: ['FACE_NOT_FOUND'] },
        ],
      },
    });
    expect(plan).toEqual({
      collectionIds: ['c'],
      collectionId: 'c',
      userIds: ['me', 'other'],
      faces: [
        { faceId: F1, owner: undefined, samePerson: false },
        { faceId: F2, owner: 'other', samePerson: true },
        { faceId: F3, owner: undefined, samePerson: true },
        { owner: 'me', samePerson: true },
      ],
    });
  });

  it('gives disassociated faces to the caller and creates no collection for CreateCollection', () => {
    expect(
      planExampleState({
        operation: 'DisassociateFaces',
        input: { CollectionId: 'c', UserId: 'me', FaceIds: [F1] },
        output: { DisassociatedFaces: [{ FaceId: F1 }], UserStatus: 'UPDATING' },
      }).faces,
    ).toEqual([{ faceId: F1, owner: 'me', samePerson: true }]);
    expect(
      planExampleState({ operation: 'CreateCollection', input: { CollectionId: 'c' }, output: {} })
        .collectionIds,
    ).toEqual([]);
    expect(
      planExampleState({
        operation: 'ListTagsForResource',
        input: { ResourceArn: 'arn:aws:rekognition:us-west-2:123456789012:collection/tagged' },
        output: { Tags: {} },
      }).collectionIds,
    ).toEqual(['tagged']);
  });
});

describe('loadDocumentedExamples', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('merges botocore and Smithy examples, deduplicating identical ones', () => {
    dir = mkdtempSync(join(tmpdir(), 'facekit-examples-'));
    writeFileSync(
      join(dir, 'rekognition-2016-06-27.examples-1.botocore-1.43.107.json'),
      JSON.stringify({
        examples: {
          CreateCollection: [
            {
              title: 'create',
              input: { CollectionId: 'a' },
              output: { StatusCode: 200, CollectionArn: 'x' },
            },
          ],
          ListCollections: [{ title: 'list', input: {}, output: { CollectionIds: ['a'] } }],
          DetectLabels: [{ title: 'out of scope', input: {}, output: {} }],
        },
      }),
    );
    const examplesOf = (examples: unknown[]) => ({ traits: { 'smithy.api#examples': examples } });
    writeFileSync(
      join(dir, 'rekognition-2016-06-27.smithy.api-models-aws-56c8953.json'),
      JSON.stringify({
        shapes: {
          'com.amazonaws.rekognition#CreateCollection': examplesOf([
            {
              title: 'create',
              input: { CollectionId: 'a' },
              output: { CollectionArn: 'x', StatusCode: 200 },
            },
          ]),
          'com.amazonaws.rekognition#ListCollections': examplesOf([
            { title: 'list', output: { CollectionIds: ['a'] } },
          ]),
          'com.amazonaws.rekognition#CreateUser': examplesOf([
            { title: 'user', input: { CollectionId: 'a', UserId: 'u' } },
          ]),
        },
      }),
    );
    // In the order of the model's operation names.
    expect(loadDocumentedExamples(dir)).toEqual([
      {
        operation: 'CreateCollection',
        title: 'create',
        input: { CollectionId: 'a' },
        output: { StatusCode: 200, CollectionArn: 'x' },
        sources: ['botocore', 'smithy'],
      },
      {
        operation: 'CreateUser',
        title: 'user',
        input: { CollectionId: 'a', UserId: 'u' },
        output: {},
        sources: ['smithy'],
      },
      {
        operation: 'ListCollections',
        title: 'list',
        input: {},
        output: { CollectionIds: ['a'] },
        sources: ['botocore', 'smithy'],
      },
    ]);
  });
});
