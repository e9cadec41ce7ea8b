import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  Attribute,
  CreateCollectionRequest,
  OperationName,
  OperationShapes,
} from '../index.js';
import { operationNames, operations, shapes } from '../index.js';
import type { ShapeSpec } from './shape-spec.js';

interface ModelFileCheck {
  path: string;
  expected: string;
  actual: string | undefined;
}

interface GeneratorApi {
  defaultSpecDir(): string;
  hasSpec(specDir: string): boolean;
  checkModelFiles(specDir: string): ModelFileCheck[];
  generateModelFiles(specDir: string): Record<string, string>;
}

// The generator is a Node script (node:fs). Importing it by computed URL keeps it out of the
// core's browser-only type-check (`types: []`), while vitest still loads it.
const testUrl = (import.meta as ImportMeta & { url: string }).url;
const generatorUrl = `${testUrl.slice(0, testUrl.lastIndexOf('/packages/core/'))}/tools/codegen/generate-model.ts`;
const generator = (await import(/* @vite-ignore */ generatorUrl)) as GeneratorApi;
const specDir = generator.defaultSpecDir();
const specFound = generator.hasSpec(specDir);
const skipNote = specFound ? '' : ' (skipped: ../shared/spec not found)';

function targetsOf(spec: ShapeSpec): string[] {
  switch (spec.type) {
    case 'structure':
      return Object.values(spec.members).map((member) => member.target);
    case 'list':
      return [spec.member];
    case 'map':
      return [spec.key, spec.value];
    default:
      return [];
  }
}

describe('generated model metadata', () => {
  it('covers exactly the 25 in-scope operations, sorted', () => {
    expect(operationNames).toHaveLength(25);
    expect([...operationNames]).toEqual([...operationNames].sort());
    expect(Object.keys(operations)).toEqual([...operationNames]);
    expect(operationNames).toContain('SearchUsersByImage');
    expect(operationNames).not.toContain('DetectLabels');
  });

  it('declares input, output and InvalidParameterException for every operation', () => {
    for (const name of operationNames) {
      const op = operations[name];
      expect(op.input).toBe(`${name}Request`);
      expect(op.output).toBe(`${name}Response`);
      expect(shapes[op.input]?.type).toBe('structure');
      expect(shapes[op.output]?.type).toBe('structure');
      expect(op.errors).toContain('InvalidParameterException');
      expect([...op.errors]).toEqual([...op.errors].sort());
    }
  });

  it('is closed: every referenced shape exists and none is unreachable', () => {
    const reachable = new Set<string>();
    const queue = operationNames.flatMap((name) => [
      operations[name].input,
      operations[name].output,
    ]);
    while (queue.length > 0) {
      const name = queue.pop() as string;
      if (reachable.has(name)) continue;
      expect(shapes, `shape ${name}`).toHaveProperty(name);
      reachable.add(name);
      queue.push(...targetsOf(shapes[name]));
    }
    expect(Object.keys(shapes).sort()).toEqual([...reachable].sort());
  });

  it('keeps shapes and structure members sorted', () => {
    expect(Object.keys(shapes)).toEqual(Object.keys(shapes).sort());
    for (const spec of Object.values(shapes)) {
      if (spec.type !== 'structure') continue;
      expect(Object.keys(spec.members)).toEqual(Object.keys(spec.members).sort());
    }
  });

  it('anchors every pattern and compiles it with the u flag', () => {
    const patterns = Object.values(shapes).flatMap((spec) =>
      spec.type === 'string' && spec.pattern !== undefined ? [spec.pattern] : [],
    );
    expect(patterns.length).toBeGreaterThan(5);
    for (const pattern of patterns) {
      expect(pattern).toMatch(/^\^.*\$$/);
      expect(() => new RegExp(pattern, 'u')).not.toThrow();
    }
    expect(shapes.CollectionId).toEqual({
      type: 'string',
      min: 1,
      max: 255,
      pattern: '^[a-zA-Z0-9_.\\-]+$',
    });
  });

  it('records the documented limits', () => {
    expect(shapes.ImageBlob).toEqual({ type: 'blob', min: 1, max: 5242880 });
    expect(shapes.TagMap).toEqual({
      type: 'map',
      key: 'TagKey',
      value: 'TagValue',
      min: 0,
      max: 200,
    });
    expect(shapes.MaxUserResults).toEqual({ type: 'integer', min: 1, max: 500 });
    expect(shapes.DateTime).toEqual({ type: 'timestamp' });
    expect(shapes.CreateUserRequest).toMatchObject({
      members: {
        CollectionId: { required: true },
        ClientRequestToken: { target: 'ClientRequestToken' },
      },
    });
  });

  it('maps wire representations to TypeScript types', () => {
    expectTypeOf<OperationName>().toEqualTypeOf<(typeof operationNames)[number]>();
    expectTypeOf<CreateCollectionRequest>().toEqualTypeOf<
      OperationShapes['CreateCollection']['input']
    >();
    expectTypeOf<CreateCollectionRequest['CollectionId']>().toEqualTypeOf<string>();
    expectTypeOf<CreateCollectionRequest['Tags']>().toEqualTypeOf<
      Record<string, string> | undefined
    >();
    type Detect = OperationShapes['DetectFaces'];
    expectTypeOf<NonNullable<Detect['input']['Image']['Bytes']>>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<Detect['input']['Attributes']>>().toEqualTypeOf<Attribute[]>();
    expectTypeOf<'FACE_OCCLUDED'>().toExtend<Attribute>();
    expectTypeOf<'NOSE'>().not.toExtend<Attribute>();
    type Describe = OperationShapes['DescribeCollection']['output'];
    expectTypeOf<NonNullable<Describe['CreationTimestamp']>>().toEqualTypeOf<number>();
    expectTypeOf<NonNullable<Describe['FaceCount']>>().toEqualTypeOf<number>();
  });
});

describe.skipIf(!specFound)(`generated files are fresh${skipNote}`, () => {
  it('match what pnpm codegen produces from the spec', () => {
    const files = generator.checkModelFiles(specDir);
    expect(files.map((file) => file.path).sort()).toEqual([
      'packages/core/src/model/shapes.generated.ts',
      'packages/core/src/model/wire-types.generated.ts',
    ]);
    for (const file of files) {
      expect(file.actual, `${file.path} is stale; run pnpm codegen`).toBe(file.expected);
      expect(
        file.expected.startsWith('// generated by tools/codegen/generate-model.ts from '),
      ).toBe(true);
    }
  });

  it('is deterministic', () => {
    expect(generator.generateModelFiles(specDir)).toEqual(generator.generateModelFiles(specDir));
  });
});
