import { describe, expect, it } from 'vitest';
import {
  ImageTooLargeException,
  InvalidParameterException,
  type OperationName,
  operationNames,
  operations,
  RekognitionError,
  UnknownOperationException,
  validateRequest,
  validateShape,
} from '../index.js';

const FACE_1 = '11111111-2222-3333-4444-555555555555';
const FACE_2 = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
/** 5 MiB, the `ImageBlob` maximum. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** A valid base64 string decoding to exactly `bytes` bytes, built without encoding anything. */
function base64OfLength(bytes: number): string {
  const remainder = bytes % 3;
  const full = 'A'.repeat(Math.floor(bytes / 3) * 4);
  return remainder === 0 ? full : remainder === 1 ? `${full}AA==` : `${full}AAA=`;
}

/** The error `validateRequest` throws, or fails the test when it does not throw. */
function rejection(operation: OperationName, input: unknown): RekognitionError {
  try {
    validateRequest(operation, input);
  } catch (error) {
    if (RekognitionError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`${operation} accepted ${JSON.stringify(input).slice(0, 200)}`);
}

function messageOf(operation: OperationName, input: unknown): string {
  const error = rejection(operation, input);
  expect(error.name).toBe('InvalidParameterException');
  return error.message;
}

function rulesAt(shape: string, value: unknown): [string, string][] {
  return validateShape(shape, value, '').map((v) => [v.path, v.rule]);
}

describe('validateRequest: body', () => {
  it.each([null, undefined, [], 'x', 1, true])('rejects a non-object body %j', (body) => {
    const error = rejection('ListCollections', body);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe('Request body must be a JSON object');
  });

  it('accepts an empty body when nothing is required', () => {
    expect(validateRequest('ListCollections', {})).toEqual({});
  });

  it('rejects an unknown operation', () => {
    const error = rejection('DetectLabels' as OperationName, {});
    expect(error).toBeInstanceOf(UnknownOperationException);
    expect(error.message).toBe("Unknown operation 'DetectLabels'");
  });

  it('does not mistake Object.prototype keys for operations or members', () => {
    expect(rejection('toString' as OperationName, {})).toBeInstanceOf(UnknownOperationException);
    const input = JSON.parse('{"CollectionId":"c","__proto__":{"x":1},"constructor":1}');
    expect(messageOf('CreateCollection', input)).toBe(
      "2 validation errors detected: Unknown parameter '__proto__': CreateCollectionRequest has members CollectionId, Tags; Unknown parameter 'constructor': CreateCollectionRequest has members CollectionId, Tags",
    );
  });
});

describe('validateRequest: required and null', () => {
  it('reports a missing required member in Coral wording', () => {
    expect(messageOf('DescribeCollection', {})).toBe(
      "1 validation error detected: Value null at 'collectionId' failed to satisfy constraint: Member must not be null",
    );
  });

  it('treats a null member as absent', () => {
    expect(messageOf('DescribeCollection', { CollectionId: null })).toBe(
      "1 validation error detected: Value null at 'collectionId' failed to satisfy constraint: Member must not be null",
    );
    const input = { CollectionId: 'c', Tags: null };
    const valid = validateRequest('CreateCollection', input);
    expect(valid).toEqual({ CollectionId: 'c' });
    expect('Tags' in valid).toBe(false);
    expect(input).toEqual({ CollectionId: 'c', Tags: null });
  });

  it('drops nested nulls and ignores unknown members that are null', () => {
    const valid = validateRequest('DetectFaces', {
      Image: { Bytes: null, S3Object: { Bucket: 'bucket', Name: 'key', Version: null } },
      Attributes: null,
      Unknown: null,
    });
    expect(valid).toEqual({ Image: { S3Object: { Bucket: 'bucket', Name: 'key' } } });
  });

  it('shares unchanged values instead of copying them', () => {
    const bytes = base64OfLength(3000);
    const valid = validateRequest('DetectFaces', { Image: { Bytes: bytes } });
    expect(valid.Image.Bytes).toBe(bytes);
  });

  it('reports every missing required member', () => {
    expect(messageOf('AssociateFaces', {})).toBe(
      '3 validation errors detected: ' +
        "Value null at 'collectionId' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'faceIds' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'userId' failed to satisfy constraint: Member must not be null",
    );
  });

  it('rejects null list items and map values', () => {
    expect(rulesAt('DeleteFacesRequest', { CollectionId: 'c', FaceIds: [FACE_1, null] })).toEqual([
      ['faceIds.2.member', 'required'],
    ]);
    expect(rulesAt('TagMap', { a: null })).toEqual([['entry.1.value', 'required']]);
  });
});

describe('validateRequest: unknown members', () => {
  it('rejects an unknown top-level member', () => {
    expect(messageOf('DeleteCollection', { CollectionId: 'c', Force: true })).toBe(
      "1 validation error detected: Unknown parameter 'Force': DeleteCollectionRequest has members CollectionId",
    );
  });

  it('hints at a wrongly cased member name', () => {
    expect(messageOf('CreateCollection', { collectionId: 'c' })).toBe(
      "2 validation errors detected: Value null at 'collectionId' failed to satisfy constraint: Member must not be null; Unknown parameter 'collectionId': did you mean 'CollectionId'? Member names are case-sensitive",
    );
  });

  it('rejects unknown nested members, naming the enclosing path', () => {
    const violations = validateShape(
      'CompareFacesRequest',
      {
        SourceImage: { S3Object: { Bucket: 'bucket', Name: 'a', Region: 'x' } },
        TargetImage: { Bytes: 'AAAA', Url: 'http://x' },
      },
      '',
    );
    expect(violations.map((v) => [v.path, v.rule, v.shape])).toEqual([
      ['sourceImage.s3Object.Region', 'unknown-member', 'S3Object'],
      ['targetImage.Url', 'unknown-member', 'Image'],
    ]);
    expect(violations[1].message).toBe(
      "Unknown parameter 'Url' at 'targetImage': Image has members Bytes, S3Object",
    );
  });

  it('rejects members of an empty structure and inside list items', () => {
    expect(validateShape('CreateUserResponse', { Ok: true }, '')[0].message).toBe(
      "Unknown parameter 'Ok': CreateUserResponse has no members",
    );
    expect(
      rulesAt('IndexFacesResponse', { FaceRecords: [{}, { Face: { FaceId: FACE_1, Extra: 1 } }] }),
    ).toEqual([['faceRecords.2.member.face.Extra', 'unknown-member']]);
  });
});

describe('validateRequest: types', () => {
  it('requires strings', () => {
    expect(messageOf('DescribeCollection', { CollectionId: 5 })).toBe(
      "1 validation error detected: Value 5 at 'collectionId' failed to satisfy constraint: Member must be a string",
    );
  });

  it('tells integers from floats', () => {
    const search = { CollectionId: 'c', FaceId: FACE_1 };
    expect(
      validateRequest('SearchFaces', { ...search, MaxFaces: 10.0, FaceMatchThreshold: 90.5 }),
    ).toEqual({ ...search, MaxFaces: 10, FaceMatchThreshold: 90.5 });
    expect(messageOf('SearchFaces', { ...search, MaxFaces: 1.5 })).toBe(
      "1 validation error detected: Value 1.5 at 'maxFaces' failed to satisfy constraint: Member must be an integer",
    );
    expect(rulesAt('MaxFaces', '5')).toEqual([['', 'type']]);
    expect(rulesAt('Percent', '90')).toEqual([['', 'type']]);
    expect(rulesAt('Percent', Number.NaN)).toEqual([['', 'type']]);
    expect(rulesAt('Float', Number.POSITIVE_INFINITY)).toEqual([['', 'type']]);
    expect(rulesAt('ULong', 2 ** 40)).toEqual([]);
    expect(rulesAt('ULong', 0.5)).toEqual([['', 'type']]);
  });

  it('requires strict booleans and numeric timestamps', () => {
    expect(rulesAt('Boolean', true)).toEqual([]);
    expect(rulesAt('Boolean', 'true')).toEqual([['', 'type']]);
    expect(rulesAt('Boolean', 1)).toEqual([['', 'type']]);
    expect(rulesAt('DateTime', 1.533422155042e9)).toEqual([]);
    expect(rulesAt('DateTime', '2018-08-04T22:35:55Z')).toEqual([['', 'type']]);
  });

  it('requires objects for structures and maps, arrays for lists', () => {
    expect(rulesAt('DetectFacesRequest', { Image: 'bytes' })).toEqual([['image', 'type']]);
    expect(rulesAt('DetectFacesRequest', { Image: [] })).toEqual([['image', 'type']]);
    expect(rulesAt('DeleteFacesRequest', { CollectionId: 'c', FaceIds: FACE_1 })).toEqual([
      ['faceIds', 'type'],
    ]);
    expect(rulesAt('CreateCollectionRequest', { CollectionId: 'c', Tags: [['a', 'b']] })).toEqual([
      ['tags', 'type'],
    ]);
  });
});

describe('validateRequest: strings', () => {
  it('checks length in both directions', () => {
    expect(messageOf('DescribeCollection', { CollectionId: '' })).toBe(
      '2 validation errors detected: ' +
        "Value '' at 'collectionId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'collectionId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_.\\-]+$",
    );
    expect(rulesAt('CollectionId', 'a'.repeat(255))).toEqual([]);
    expect(messageOf('DescribeCollection', { CollectionId: 'a'.repeat(256) })).toMatch(
      /at 'collectionId' failed to satisfy constraint: Member must have length less than or equal to 255$/,
    );
  });

  it('counts code points, not UTF-16 units', () => {
    const emoji = '\u{1F600}';
    expect(emoji.length).toBe(2);
    expect(rulesAt('S3ObjectName', emoji.repeat(1024))).toEqual([]);
    expect(rulesAt('S3ObjectName', emoji.repeat(1025))).toEqual([['', 'length']]);
    expect(rulesAt('S3ObjectName', '\uD800'.repeat(1025))).toEqual([['', 'length']]);
  });

  it('matches patterns in full', () => {
    expect(messageOf('DescribeCollection', { CollectionId: 'a b' })).toBe(
      "1 validation error detected: Value 'a b' at 'collectionId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_.\\-]+$",
    );
    expect(rulesAt('CollectionId', 'ok-name_1.2')).toEqual([]);
    expect(rulesAt('CollectionId', 'ok!')).toEqual([['', 'pattern']]);
    expect(rulesAt('FaceId', FACE_1)).toEqual([]);
    expect(rulesAt('FaceId', FACE_2.toUpperCase())).toEqual([['', 'pattern']]);
    expect(rulesAt('FaceId', `${FACE_1}0`)).toEqual([['', 'pattern']]);
    expect(rulesAt('ExternalImageId', 'photo:1')).toEqual([]);
    expect(rulesAt('ExternalImageId', 'a/b')).toEqual([['', 'pattern']]);
    expect(rulesAt('ClientRequestToken', 'abc-DEF_123')).toEqual([]);
    expect(rulesAt('S3Bucket', 'my bucket')).toEqual([['', 'pattern']]);
  });

  it('checks enums and lists the allowed values', () => {
    expect(
      messageOf('IndexFaces', {
        CollectionId: 'c',
        Image: { Bytes: 'AAAA' },
        QualityFilter: 'BEST',
      }),
    ).toBe(
      "1 validation error detected: Value 'BEST' at 'qualityFilter' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AUTO, LOW, MEDIUM, HIGH]",
    );
    expect(rulesAt('QualityFilter', 'none')).toEqual([['', 'enum']]);
    expect(rulesAt('GenderType', 'Female')).toEqual([]);
  });

  it('escapes control characters in messages', () => {
    expect(validateShape('CollectionId', 'a\nb\u0000', 'x')[0].message).toBe(
      "Value 'a\\nb\\u0000' at 'x' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_.\\-]+$",
    );
  });

  it('truncates long values in messages', () => {
    const message = messageOf('DescribeCollection', { CollectionId: `${'x'.repeat(100)} ` });
    expect(message).toContain(`Value '${'x'.repeat(64)}...' at 'collectionId'`);
    expect(message).not.toContain('x'.repeat(65));
  });
});

describe('validateRequest: numbers', () => {
  it('checks ranges with Coral wording', () => {
    const search = { CollectionId: 'c', FaceId: FACE_1 };
    expect(messageOf('SearchFaces', { ...search, MaxFaces: 0 })).toBe(
      "1 validation error detected: Value 0 at 'maxFaces' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect(messageOf('SearchFaces', { ...search, MaxFaces: 4097 })).toMatch(
      /Member must have value less than or equal to 4096$/,
    );
    expect(messageOf('SearchFaces', { ...search, FaceMatchThreshold: 100.5 })).toMatch(
      /Value 100.5 at 'faceMatchThreshold' .*less than or equal to 100$/,
    );
    expect(rulesAt('Degree', -180)).toEqual([]);
    expect(rulesAt('Degree', -180.01)).toEqual([['', 'range']]);
  });

  it('allows MaxResults 0 for ListFaces but not for ListUsers', () => {
    expect(validateRequest('ListFaces', { CollectionId: 'c', MaxResults: 0 })).toBeTruthy();
    expect(messageOf('ListUsers', { CollectionId: 'c', MaxResults: 0 })).toMatch(
      /at 'maxResults' .*greater than or equal to 1$/,
    );
    expect(messageOf('ListUsers', { CollectionId: 'c', MaxResults: 501 })).toMatch(
      /less than or equal to 500$/,
    );
  });
});

describe('validateRequest: lists', () => {
  it('checks list length', () => {
    expect(messageOf('DeleteFaces', { CollectionId: 'c', FaceIds: [] })).toBe(
      "1 validation error detected: Value [] at 'faceIds' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const faceIds = Array.from({ length: 101 }, () => FACE_1);
    const message = messageOf('AssociateFaces', {
      CollectionId: 'c',
      UserId: 'u',
      FaceIds: faceIds,
    });
    expect(message).toMatch(/^1 validation error detected: Value \[".{20,80}\.\.\. at 'faceIds'/);
    expect(message).toMatch(/Member must have length less than or equal to 100$/);
    expect(rulesAt('UserFaceIdList', faceIds.slice(1))).toEqual([]);
    expect(
      rulesAt(
        'TagKeyList',
        Array.from({ length: 201 }, (_, i) => `k${i}`),
      ),
    ).toEqual([['', 'length']]);
  });

  it('validates items with a 1-based index in the path', () => {
    expect(
      messageOf('DeleteFaces', { CollectionId: 'c', FaceIds: [FACE_1, 'not-a-uuid', FACE_2, 7] }),
    ).toBe(
      '2 validation errors detected: ' +
        "Value 'not-a-uuid' at 'faceIds.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$; " +
        "Value 7 at 'faceIds.4.member' failed to satisfy constraint: Member must be a string",
    );
    expect(
      rulesAt('DetectFacesRequest', { Image: { Bytes: 'AAAA' }, Attributes: ['ALL', 'NOSE'] }),
    ).toEqual([['attributes.2.member', 'enum']]);
  });
});

describe('validateRequest: maps (Tags)', () => {
  const tag = (Tags: unknown) => ({ CollectionId: 'c', Tags });

  it('accepts Unicode letters, numbers, spaces and the allowed symbols', () => {
    expect(
      validateRequest('CreateCollection', tag({ 'Ключ 1': 'значение_2', 'a.b:c/d=e+f-g@h': '' })),
    ).toBeTruthy();
    expect(
      validateRequest('CreateCollection', tag({ 'AWS:upper': 'x', 'x-aws:': 'y' })),
    ).toBeTruthy();
  });

  it('forbids the aws: key prefix', () => {
    expect(
      messageOf('TagResource', {
        ResourceArn: 'arn:aws:rekognition:us-east-1:1:collection/c',
        Tags: { ok: '1', 'aws:team': 'x' },
      }),
    ).toBe(
      "1 validation error detected: Value 'aws:team' at 'tags.entry.2.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$",
    );
  });

  it('checks key and value length and value pattern', () => {
    expect(rulesAt('TagMap', { '': 'v' })).toEqual([['entry.1.key', 'length']]);
    expect(rulesAt('TagMap', { ['k'.repeat(129)]: 'v' })).toEqual([['entry.1.key', 'length']]);
    expect(rulesAt('TagMap', { k: 'v'.repeat(257) })).toEqual([['entry.1.value', 'length']]);
    expect(rulesAt('TagMap', { k: 'semi;colon' })).toEqual([['entry.1.value', 'pattern']]);
    expect(rulesAt('TagMap', { k: 1 })).toEqual([['entry.1.value', 'type']]);
  });

  it('checks the entry count', () => {
    const tags = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, 'v']));
    expect(messageOf('CreateCollection', tag(tags))).toMatch(
      /^1 validation error detected: Value \{"k0":"v",.*\.\.\. at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200$/,
    );
    delete tags.k0;
    expect(validateRequest('CreateCollection', tag(tags)).Tags).toBe(tags);
  });
});

describe('validateRequest: blobs', () => {
  it.each([
    ['AA==', 1],
    ['AAA=', 2],
    ['AAAA', 3],
    ['AAAAAA==', 4],
    ['AQIDBAU=', 5],
    ['+/+/', 3],
  ])('computes the decoded length of %s as %i', (bytes, length) => {
    expect(rulesAt('ImageBlob', bytes)).toEqual([]);
    expect(rulesAt('ImageBlob', base64OfLength(length))).toEqual([]);
  });

  it('applies min to decoded bytes', () => {
    expect(messageOf('DetectFaces', { Image: { Bytes: '' } })).toBe(
      "1 validation error detected: Value '' at 'image.bytes' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it.each(['AA', 'AAA', 'AA=', 'A===', '====', 'AA==AA==', 'AA-_', 'AA AA', 'AA\nA', 'ÀÀÀÀ'])(
    'rejects %j as bad base64 with InvalidParameterException',
    (bytes) => {
      const error = rejection('DetectFaces', { Image: { Bytes: bytes } });
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(error.message).toMatch(
        /^1 validation error detected: Value .* at 'image.bytes' failed to satisfy constraint: Member must be standard base64 with padding$/,
      );
    },
  );

  // The check runs over chunks of 16 384 characters: a bad character anywhere, including at
  // either side of a chunk boundary and in the last short chunk, must still be found.
  it.each([0, 16_383, 16_384, 16_385, 32_767, 32_768, 39_990])(
    'rejects a long image with a bad character at %i',
    (at) => {
      const good = base64OfLength(30_000);
      expect(good.length).toBe(40_000);
      expect(rulesAt('ImageBlob', good)).toEqual([]);
      for (const bad of ['-', '=', ' ', 'À', '\u{1F600}', '\ud83d']) {
        const text = `${good.slice(0, at)}${bad}${good.slice(at + bad.length)}`;
        expect(text.length).toBe(40_000);
        expect(rulesAt('ImageBlob', text)).toEqual([['', 'base64']]);
      }
    },
  );

  it('requires a string', () => {
    expect(rulesAt('ImageBlob', [1, 2, 3])).toEqual([['', 'type']]);
  });

  it('accepts exactly 5 MiB and throws ImageTooLargeException one byte above', () => {
    const max = base64OfLength(MAX_IMAGE_BYTES);
    expect(max.length).toBe(6990508);
    expect(max.endsWith('A=')).toBe(true);
    expect(validateRequest('DetectFaces', { Image: { Bytes: max } }).Image.Bytes).toBe(max);

    const over = base64OfLength(MAX_IMAGE_BYTES + 1);
    expect(over.length).toBe(6990508);
    const error = rejection('DetectFaces', { Image: { Bytes: over } });
    expect(error).toBeInstanceOf(ImageTooLargeException);
    expect(error.message).toBe('Image size is too large.');
    expect(validateShape('ImageBlob', over, 'image.bytes')).toEqual([
      {
        path: 'image.bytes',
        rule: 'length',
        shape: 'ImageBlob',
        message: `Value '${'A'.repeat(64)}...' at 'image.bytes' failed to satisfy constraint: Member must have length less than or equal to 5242880`,
      },
    ]);
  });

  it('reports ImageTooLargeException before other violations, for any image member', () => {
    const big = base64OfLength(MAX_IMAGE_BYTES + 3);
    const error = rejection('CompareFaces', {
      SourceImage: { S3Object: { Bucket: 'bucket', Name: 'a' } },
      TargetImage: { Bytes: big },
      SimilarityThreshold: 200,
      Extra: 1,
    });
    expect(error).toBeInstanceOf(ImageTooLargeException);
  });
});

describe('validateRequest: message format', () => {
  it('lists at most 10 violations but counts them all', () => {
    const faceIds = Array.from({ length: 25 }, (_, i) => `bad-${i}`);
    const message = messageOf('DeleteFaces', { CollectionId: 'c', FaceIds: faceIds });
    expect(message.startsWith('25 validation errors detected: ')).toBe(true);
    expect(message.match(/failed to satisfy constraint/g)).toHaveLength(10);
    expect(message).toContain("at 'faceIds.10.member'");
    expect(message).not.toContain("at 'faceIds.11.member'");
    expect(message.endsWith('; (15 more not shown)')).toBe(true);
  });

  it('keeps messages short for huge invalid inputs', () => {
    const faceIds = Array.from({ length: 100_000 }, () => 'x'.repeat(100));
    const message = messageOf('DeleteFaces', { CollectionId: 'c', FaceIds: faceIds });
    expect(message.startsWith('100001 validation errors detected: ')).toBe(true);
    expect(message.length).toBeLessThan(3000);
  });

  it('renders values AWS style: quoted strings, bare numbers and null, bounded JSON', () => {
    expect(validateShape('CollectionId', 'a b', 'x')[0].message).toMatch(/^Value 'a b' at 'x'/);
    expect(validateShape('MaxFaces', 0, 'x')[0].message).toMatch(/^Value 0 at 'x'/);
    expect(validateShape('MaxFaces', false, 'x')[0].message).toMatch(/^Value false at 'x'/);
    expect(validateShape('MaxFaces', null, 'x')[0].message).toMatch(/^Value null at 'x'/);
    expect(validateShape('MaxFaces', { a: [1, 'b'] }, 'x')[0].message).toMatch(
      /^Value \{"a":\[1,"b"\]\} at 'x'/,
    );
  });
});

describe('validateShape', () => {
  it('prefixes paths with the given base path', () => {
    expect(
      validateShape('Image', { S3Object: { Bucket: 'b', Name: '' } }, 'sourceImage').map(
        (v) => v.path,
      ),
    ).toEqual(['sourceImage.s3Object.bucket', 'sourceImage.s3Object.name']);
  });

  it('returns every violation, uncapped', () => {
    const faceIds = Array.from({ length: 30 }, () => 'bad');
    expect(validateShape('FaceIdList', faceIds, 'faceIds')).toHaveLength(30);
  });

  it('validates a response body', () => {
    expect(
      validateShape(
        'DescribeCollectionResponse',
        {
          FaceCount: 3,
          UserCount: 0,
          FaceModelVersion: '7.0',
          CollectionARN: 'arn:aws:rekognition:us-east-1:123456789012:collection/c',
          CreationTimestamp: 1.533422155042e9,
        },
        '',
      ),
    ).toEqual([]);
    expect(
      rulesAt('DescribeCollectionResponse', { FaceCount: -1, CreationTimestamp: 'now' }),
    ).toEqual([
      ['creationTimestamp', 'type'],
      ['faceCount', 'range'],
    ]);
  });

  it('throws on a shape the model does not have', () => {
    expect(() => validateShape('NoSuchShape', {}, '')).toThrow('Unknown model shape: NoSuchShape');
    expect(() => validateShape('toString', {}, '')).toThrow('Unknown model shape: toString');
  });
});

// ---------------------------------------------------------------------------------------------
// Documented examples (need ../shared/spec; node:fs is reached through the Node-only generator)

interface GeneratorApi {
  defaultSpecDir(): string;
  hasSpec(specDir: string): boolean;
  readSpecJson(specDir: string, fileName: string): unknown;
}

interface Example {
  input?: unknown;
  output?: unknown;
}

const testUrl = (import.meta as ImportMeta & { url: string }).url;
const generatorUrl = `${testUrl.slice(0, testUrl.lastIndexOf('/packages/core/'))}/tools/codegen/generate-model.ts`;
const generator = (await import(/* @vite-ignore */ generatorUrl)) as GeneratorApi;
const specDir = generator.defaultSpecDir();
const specFound = generator.hasSpec(specDir);
const skipNote = specFound ? '' : ' (skipped: ../shared/spec not found)';

function inScopeExamples(): [string, OperationName, Example][] {
  if (!specFound) return [];
  const cases: [string, OperationName, Example][] = [];
  const botocore = generator.readSpecJson(
    specDir,
    'rekognition-2016-06-27.examples-1.botocore-1.43.107.json',
  ) as { examples: Record<string, Example[]> };
  for (const [operation, examples] of Object.entries(botocore.examples)) {
    if (!Object.hasOwn(operations, operation)) continue;
    examples.forEach((example, i) => {
      cases.push([`examples-1.json ${operation} #${i + 1}`, operation as OperationName, example]);
    });
  }
  const smithy = generator.readSpecJson(
    specDir,
    'rekognition-2016-06-27.smithy.api-models-aws-56c8953.json',
  ) as { shapes: Record<string, { traits?: Record<string, unknown> }> };
  for (const operation of operationNames) {
    const traits = smithy.shapes[`com.amazonaws.rekognition#${operation}`]?.traits ?? {};
    const examples = (traits['smithy.api#examples'] ?? []) as Example[];
    examples.forEach((example, i) => {
      cases.push([`smithy ${operation} #${i + 1}`, operation, example]);
    });
  }
  return cases;
}

describe.skipIf(!specFound)(`documented examples validate${skipNote}`, () => {
  const cases = inScopeExamples();

  it('covers every botocore example of an in-scope operation', () => {
    const botocore = cases.filter(([name]) => name.startsWith('examples-1.json'));
    expect(botocore).toHaveLength(10);
    expect(cases.length).toBeGreaterThanOrEqual(27);
  });

  it.each(cases)('%s', (_name, operation, example) => {
    expect(() => validateRequest(operation, example.input ?? {})).not.toThrow();
    expect(validateShape(operations[operation].output, example.output ?? {}, '')).toEqual([]);
  });
});
