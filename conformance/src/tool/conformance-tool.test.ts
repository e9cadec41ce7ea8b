import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiCallError, type ApiFrontend, FrontendLimitation } from '../api/api-frontend.js';
import { loadDocumentedExamples } from '../api/documented-examples.js';
import {
  afterEach,
  assertOutputShape,
  beforeEach,
  defineScenarios,
  runScenarioSuite,
  ShapeMismatchError,
  it as scenario,
  describe as scenarioGroup,
} from '../api/scenario-suite.js';
import { createPrefixedFrontend } from './prefixed-frontend.js';
import { shippedExamplesPath } from './run-conformance.js';

describe('runScenarioSuite', () => {
  it('runs hooks around every case, cleans up after failures, and reports skips', async () => {
    const log: string[] = [];
    const suite = defineScenarios('suite', () => {
      beforeEach(() => {
        log.push('setup');
      });
      afterEach(() => {
        log.push('cleanup');
      });
      scenarioGroup('group', () => {
        scenario('passes', async () => {
          log.push('passes');
        });
        scenario('fails', async () => {
          expect(1).toBe(2);
        });
        scenario('cannot run here', async () => {
          throw new FrontendLimitation('needs a store');
        });
      });
    });
    const results = await runScenarioSuite(suite);
    expect(results.map((r) => [r.path.join(' > '), r.status])).toEqual([
      ['suite > group > passes', 'passed'],
      ['suite > group > fails', 'failed'],
      ['suite > group > cannot run here', 'skipped'],
    ]);
    expect(results[1].message).toMatch(/expected 1 to be 2/);
    expect(results[2].message).toBe('needs a store');
    expect(log).toEqual(['setup', 'passes', 'cleanup', 'setup', 'cleanup', 'setup', 'cleanup']);
  });

  it('stops before the next case once aborted', async () => {
    const controller = new AbortController();
    const suite = defineScenarios('suite', () => {
      scenario('first', async () => controller.abort());
      scenario('second', async () => {});
    });
    const results = await runScenarioSuite(suite, { signal: controller.signal });
    expect(results.map((r) => r.path[1])).toEqual(['first']);
  });
});

describe('assertOutputShape', () => {
  it('lists each differing field with the model type and what came, by wire path', () => {
    let error: unknown;
    try {
      assertOutputShape('ListFaces', {
        Faces: [
          { FaceId: '11111111-1111-4111-8111-111111111111', Confidence: 99 },
          { FaceId: 7, BoundingBox: { Width: '0.5' } },
        ],
        FaceModelVersion: '7.0',
        Extra: true,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeMismatchError);
    expect((error as ShapeMismatchError).differences).toEqual([
      { path: 'Faces[1].BoundingBox.Width', expected: 'float (Float)', actual: 'string "0.5"' },
      { path: 'Faces[1].FaceId', expected: 'string (FaceId)', actual: 'number 7' },
      {
        path: 'Extra',
        expected: 'no member Extra (not in ListFacesResponse)',
        actual: 'boolean true',
      },
    ]);
    expect((error as Error).message).toContain('Faces[1].FaceId');
  });
});

describe('createPrefixedFrontend', () => {
  function recordingFrontend(collections: string[]) {
    const sent: unknown[] = [];
    const frontend: ApiFrontend = {
      name: 'fake',
      sendsRawInput: false,
      async call(operation, input) {
        sent.push({ operation, input });
        if (operation === 'ListCollections') {
          return { CollectionIds: collections, FaceModelVersions: collections.map(() => '1.0') };
        }
        if (operation === 'CreateUser') {
          throw new ApiCallError({
            name: 'IdempotentParameterMismatchException',
            message: `The ClientRequestToken: ${input.ClientRequestToken} is in use (${input.CollectionId})`,
          });
        }
        if (operation === 'DeleteCollection') return { StatusCode: 200 };
        return { CollectionArn: `aws:rekognition:us-east-1:1:collection/${input.CollectionId}` };
      },
    };
    return { frontend, sent };
  }

  it('prefixes ids, ARNs and tokens on the way in and hides them on the way out', async () => {
    const { frontend, sent } = recordingFrontend(['theirs', 'p-1-mine', 'p-1-other']);
    const prefixed = createPrefixedFrontend(frontend, 'p-1-');
    expect(await prefixed.call('CreateCollection', { CollectionId: 'mine' })).toEqual({
      CollectionArn: 'aws:rekognition:us-east-1:1:collection/mine',
    });
    await prefixed.call('ListTagsForResource', {
      ResourceArn: 'arn:aws:rekognition:us-east-1:1:collection/mine',
    });
    expect(await prefixed.call('ListCollections', {})).toEqual({
      CollectionIds: ['mine', 'other'],
      FaceModelVersions: ['1.0', '1.0'],
    });
    await expect(
      prefixed.call('CreateUser', { CollectionId: 'mine', UserId: 'u', ClientRequestToken: 't' }),
    ).rejects.toMatchObject({ message: 'The ClientRequestToken: t is in use (mine)' });
    expect(sent.slice(0, 2)).toEqual([
      { operation: 'CreateCollection', input: { CollectionId: 'p-1-mine' } },
      {
        operation: 'ListTagsForResource',
        input: { ResourceArn: 'arn:aws:rekognition:us-east-1:1:collection/p-1-mine' },
      },
    ]);
    const token = (sent[3] as { input: { ClientRequestToken: string } }).input.ClientRequestToken;
    expect(token).toMatch(/^[0-9a-f-]{36}$/);

    expect(await prefixed.deleteCollections()).toEqual(['p-1-mine', 'p-1-other']);
    expect(sent.slice(-2)).toEqual([
      { operation: 'DeleteCollection', input: { CollectionId: 'p-1-mine' } },
      { operation: 'DeleteCollection', input: { CollectionId: 'p-1-other' } },
    ]);
  });
});

const specDir =
  process.env.FACEKIT_SPEC_DIR ?? resolve(import.meta.dirname, '../../../../shared/spec');

describe.skipIf(!existsSync(specDir))(
  `the documented examples shipped in fixtures/ (needs ${specDir})`,
  () => {
    it('are those of the spec files (pnpm --filter @facekit/conformance examples)', () => {
      const shipped = JSON.parse(readFileSync(shippedExamplesPath(), 'utf8'));
      expect(shipped).toEqual(loadDocumentedExamples(specDir));
    });
  },
);
