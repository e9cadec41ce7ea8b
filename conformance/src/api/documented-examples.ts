import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OperationName, operationNames, type StoredFace } from '@facekit/core';
import { nearbyUnitVector, randomUnitVectors } from '../storage/seeded-vectors.js';
import { type ApiHarness, FrontendLimitation, type WireObject } from './api-frontend.js';
import {
  afterEach,
  assertOutputShape,
  beforeEach,
  defineScenarios,
  it,
  registerWithVitest,
  type ScenarioGroup,
} from './scenario-suite.js';

const BOTOCORE_EXAMPLES = 'rekognition-2016-06-27.examples-1.botocore-1.43.107.json';
const SMITHY_MODEL = 'rekognition-2016-06-27.smithy.api-models-aws-56c8953.json';

/** Image operations: their examples need the face pipeline and read S3 images, so they are listed but skipped. */
const IMAGE_OPERATIONS: readonly OperationName[] = [
  'IndexFaces',
  'SearchFacesByImage',
  'DetectFaces',
  'CompareFaces',
  'SearchUsersByImage',
];

const DIMENSIONS = 64;
/**
 * Cosine of every "same person" face to the person vector. Two such faces are then at cosine
 * ≈ 0.96 (Similarity ≈ 96), clear of the thresholds the examples use (70, 90).
 */
const SAME_PERSON_COSINE = 0.98;
/** Rekognition's default per-user face quota, for seeding ownership straight into the store. */
const MAX_FACES_PER_USER = 100;
const COLLECTION_ARN = /^(?:arn:)?aws:rekognition:[^:]*:[^:]*:collection\/(.+)$/;

export type DocumentedExampleSource = 'botocore' | 'smithy';

/** One example from the AWS documentation, in wire JSON. */
export interface DocumentedExample {
  operation: OperationName;
  title: string;
  input: WireObject;
  /** The documented response; `{}` when the example shows none. */
  output: WireObject;
  /** Which files carry it: both, when they document the same input and output. */
  sources: DocumentedExampleSource[];
}

interface RawExample {
  title: string;
  input?: WireObject;
  output?: WireObject;
}

/**
 * Reads the documented examples of the face operations from botocore's `examples-1.json` and the
 * Smithy model's `smithy.api#examples` traits in `specDir`. An example documented identically
 * in both (same input and output, whatever the key order) is returned once.
 * @throws when either file is missing or not JSON.
 */
export function loadDocumentedExamples(specDir: string): DocumentedExample[] {
  const botocore = readJson(join(specDir, BOTOCORE_EXAMPLES)) as {
    examples?: Record<string, RawExample[]>;
  };
  const smithy = readJson(join(specDir, SMITHY_MODEL)) as {
    shapes?: Record<string, { traits?: Record<string, unknown> }>;
  };
  const examples: DocumentedExample[] = [];
  const add = (operation: OperationName, raw: RawExample, source: DocumentedExampleSource) => {
    const input = raw.input ?? {};
    const output = raw.output ?? {};
    const key = canonicalJson({ input, output });
    const same = examples.find(
      (e) =>
        e.operation === operation && canonicalJson({ input: e.input, output: e.output }) === key,
    );
    if (same) {
      if (!same.sources.includes(source)) same.sources.push(source);
      return;
    }
    examples.push({ operation, title: raw.title, input, output, sources: [source] });
  };
  for (const operation of operationNames) {
    for (const raw of botocore.examples?.[operation] ?? []) add(operation, raw, 'botocore');
    const shape = smithy.shapes?.[`com.amazonaws.rekognition#${operation}`];
    const traits = (shape?.traits?.['smithy.api#examples'] ?? []) as RawExample[];
    for (const raw of traits) add(operation, raw, 'smithy');
  }
  return examples;
}

/** Registers {@link documentedExampleSuite} with vitest. */
export function describeDocumentedExamples(
  name: string,
  setup: () => Promise<ApiHarness>,
  specDir: string,
): void {
  registerWithVitest(documentedExampleSuite(name, setup, loadDocumentedExamples(specDir)));
}

/** The documented output differs from ours in structure or in a deterministic value. */
export class DocumentedOutputMismatch extends Error {
  override readonly name = 'DocumentedOutputMismatch';
  constructor(
    readonly differences: string[],
    actual: unknown,
  ) {
    super(
      `differences from the documented output:\n${differences.map((d) => `  ${d}`).join('\n')}\n  got ${JSON.stringify(actual)}`,
    );
  }
}

/**
 * Replays every documented example against a frontend: builds the state the example implies,
 * calls the operation with the documented input and holds the response to the model and to the
 * documented output (see {@link compareToDocumented}). Image operations are registered as
 * skipped, so the report shows what is not covered yet; so are examples whose faces must be
 * seeded with the documented FaceIds when the harness has no store.
 */
export function documentedExampleSuite(
  name: string,
  setup: () => Promise<ApiHarness>,
  examples: readonly DocumentedExample[],
): ScenarioGroup {
  return defineScenarios(`Documented Rekognition examples: ${name}`, () => {
    let harness: ApiHarness;
    beforeEach(async () => {
      harness = await setup();
    });
    afterEach(async () => {
      await harness.close();
    });

    for (const example of examples) {
      const title = `${example.operation}: ${example.title} [${example.sources.join(', ')}]`;
      if (IMAGE_OPERATIONS.includes(example.operation)) {
        it.skip(title, undefined, imageSkipReason(example));
        continue;
      }
      it(title, async () => {
        const input = await arrange(harness, example);
        const output = await harness.frontend.call(example.operation, input);
        assertOutputShape(example.operation, output);
        const differences = compareToDocumented(example.output, output);
        if (differences.length > 0) throw new DocumentedOutputMismatch(differences, output);
      });
    }
  });
}

function imageSkipReason(example: DocumentedExample): string {
  const s3 = JSON.stringify(example.input).includes('"S3Object"');
  return s3
    ? "its image is an S3 object in the documentation's bucket, which facekit does not read"
    : 'image examples are not replayed yet';
}

// ---- arranging the state an example implies ---------------------------------------------------

/** @internal What must exist before an example's call, derived from its input and output. */
export interface ExamplePlan {
  /** Collections to create, in order. */
  collectionIds: string[];
  /** Where users and faces go. */
  collectionId?: string;
  /** Users to create, in order of first mention. */
  userIds: string[];
  /**
   * Faces to seed. `samePerson` faces sit near one person vector; the others are unrelated.
   * Ids not mentioned by the example are `undefined` and get a fresh UUID.
   */
  faces: { faceId?: string; owner?: string; samePerson: boolean }[];
}

/**
 * @internal Derives the state an example implies, generically from its input and output, with a
 * little per-operation knowledge (who must own a face of the person for a threshold to apply).
 */
export function planExampleState(
  example: Pick<DocumentedExample, 'operation' | 'input' | 'output'>,
): ExamplePlan {
  const { operation, input, output } = example;
  const arnCollection =
    typeof input.ResourceArn === 'string' ? COLLECTION_ARN.exec(input.ResourceArn)?.[1] : undefined;
  const collectionId = typeof input.CollectionId === 'string' ? input.CollectionId : arnCollection;

  const collectionIds: string[] = [];
  if (collectionId !== undefined && operation !== 'CreateCollection')
    collectionIds.push(collectionId);
  for (const id of stringsAt(output, 'CollectionIds[]'))
    if (!collectionIds.includes(id)) collectionIds.push(id);

  const userIds: string[] = [];
  const addUser = (id: string) => {
    if (!userIds.includes(id)) userIds.push(id);
  };
  if (typeof input.UserId === 'string' && operation !== 'CreateUser') addUser(input.UserId);
  for (const object of objectsIn(output))
    if (typeof object.UserId === 'string') addUser(object.UserId);

  const notFound = new Set<string>();
  const unrelated = new Set<string>();
  const owners = new Map<string, string>();
  // A disassociated face was owned by the caller's user; explicit owners in the output come next.
  if (operation === 'DisassociateFaces' && typeof input.UserId === 'string') {
    for (const id of stringsAt(output, 'DisassociatedFaces[].FaceId')) owners.set(id, input.UserId);
  }
  for (const object of objectsIn(output)) {
    if (typeof object.FaceId !== 'string') continue;
    const reasons = Array.isArray(object.Reasons) ? object.Reasons : [];
    if (reasons.includes('FACE_NOT_FOUND')) notFound.add(object.FaceId);
    if (reasons.includes('LOW_MATCH_CONFIDENCE')) unrelated.add(object.FaceId);
    // ASSOCIATED_TO_A_DIFFERENT_USER / _AN_EXISTING_USER entries and ListFaces' `Faces[]` alike.
    if (typeof object.UserId === 'string') owners.set(object.FaceId, object.UserId);
  }

  const faceIds: string[] = [];
  for (const id of [...mentionedFaceIds(input), ...mentionedFaceIds(output)]) {
    if (!notFound.has(id) && !faceIds.includes(id)) faceIds.push(id);
  }
  const faces: ExamplePlan['faces'] = faceIds.map((faceId) => ({
    faceId,
    owner: owners.get(faceId),
    samePerson: !unrelated.has(faceId),
  }));

  // Users whose vector must be the person's for the example's similarity outcome to hold.
  const needPerson: string[] = [];
  if (operation === 'AssociateFaces' && unrelated.size > 0 && typeof input.UserId === 'string') {
    // The threshold only applies once the user has a face: give it one of the person first.
    needPerson.push(input.UserId);
  }
  if (operation === 'SearchUsers') {
    if (typeof input.UserId === 'string') needPerson.push(input.UserId);
    needPerson.push(...stringsAt(output, 'UserMatches[].User.UserId'));
  }
  for (const userId of needPerson) {
    addUser(userId);
    if (!faces.some((f) => f.owner === userId && f.samePerson))
      faces.push({ owner: userId, samePerson: true });
  }
  return { collectionIds, collectionId, userIds, faces };
}

/** Creates the state {@link planExampleState} describes; returns the input with ARNs rewritten. */
async function arrange(harness: ApiHarness, example: DocumentedExample): Promise<WireObject> {
  const plan = planExampleState(example);
  let faceModelVersion = '7.0';
  for (const CollectionId of plan.collectionIds) {
    const created = await harness.frontend.call('CreateCollection', { CollectionId });
    if (typeof created.FaceModelVersion === 'string') faceModelVersion = created.FaceModelVersion;
  }
  const { collectionId } = plan;
  if (collectionId !== undefined) {
    for (const UserId of plan.userIds) {
      await harness.frontend.call('CreateUser', { CollectionId: collectionId, UserId });
    }
    const [person] = randomUnitVectors(1, DIMENSIONS, 1);
    const unrelated = randomUnitVectors(plan.faces.length, DIMENSIONS, 2);
    const faces: StoredFace[] = plan.faces.map((face, i) => ({
      faceId: face.faceId ?? crypto.randomUUID(),
      imageId: crypto.randomUUID(),
      boundingBox: { width: 0.25, height: 0.33, left: 0.3, top: 0.15 },
      confidence: 99.99,
      indexFacesModelVersion: faceModelVersion,
      createdAt: Date.now(),
      vector: face.samePerson
        ? nearbyUnitVector(person, SAME_PERSON_COSINE, 100 + i)
        : unrelated[i],
    }));
    const { store } = harness;
    if (faces.length > 0 && !store) {
      throw new FrontendLimitation(
        'seeds faces with the documented FaceIds, which needs direct access to the store',
      );
    }
    if (store && faces.length > 0) await store.putFaces(collectionId, faces);
    for (const owner of plan.userIds) {
      const owned = faces.filter((_, i) => plan.faces[i].owner === owner).map((f) => f.faceId);
      if (owned.length > 0) {
        await store?.associateFaces(collectionId, owner, owned, MAX_FACES_PER_USER);
      }
    }
  }
  return rewriteArns(example.input, harness);
}

/** Example ARNs name AWS's account and region: point them at the harness's collection instead. */
function rewriteArns(input: WireObject, harness: ApiHarness): WireObject {
  const arn = typeof input.ResourceArn === 'string' ? COLLECTION_ARN.exec(input.ResourceArn) : null;
  if (!arn) return input;
  return {
    ...input,
    ResourceArn: `arn:aws:rekognition:${harness.region}:${harness.accountId}:collection/${arn[1]}`,
  };
}

/** Face ids an example mentions anywhere: `FaceId`, `SearchedFaceId`, `FaceIds`, `DeletedFaces`. */
function mentionedFaceIds(value: unknown): string[] {
  const ids: string[] = [];
  for (const object of objectsIn(value)) {
    for (const key of ['FaceId', 'SearchedFaceId']) {
      if (typeof object[key] === 'string') ids.push(object[key]);
    }
    for (const key of ['FaceIds', 'DeletedFaces']) {
      const list = object[key];
      if (Array.isArray(list)) ids.push(...list.filter((v): v is string => typeof v === 'string'));
    }
  }
  return ids;
}

// ---- comparing with the documented output -----------------------------------------------------

/**
 * Members a documented response shows that ours may leave out. `NextToken`: the example was
 * captured on an account with more items than the page; ours has no further page.
 */
const MAY_BE_ABSENT = new Set(['NextToken']);

interface ValueRule {
  /** Member path; `[]` walks into a list: `FaceMatches[].Face.FaceId`. */
  path: string;
  /** `same-set`: same values in any order; `subset`: every documented value is among ours. */
  match: 'equal' | 'same-set' | 'subset';
  /** How a value is compared (default: the string itself, or its JSON). */
  key?: (value: unknown) => string;
}

/**
 * The documented values that follow from the input and the arranged state. Left out on purpose:
 * generated ImageIds, BoundingBox, Confidence, exact Similarity, FaceModelVersion, NextToken,
 * and `UserStatus`: the examples show `UPDATING`, but facekit applies changes synchronously, so
 * it already reports the settled `ACTIVE`/`CREATED`.
 */
const DETERMINISTIC_VALUES: readonly ValueRule[] = [
  { path: 'StatusCode', match: 'equal' },
  // Same ARN form (CreateCollection's has no `arn:` prefix) and collection; not AWS's account/region.
  { path: 'CollectionArn', match: 'equal', key: maskArnScope },
  { path: 'CollectionARN', match: 'equal', key: maskArnScope },
  // Ours may list collections the example's account did not have, and vice versa for users.
  { path: 'CollectionIds[]', match: 'subset' },
  { path: 'Users[].UserId', match: 'subset' },
  { path: 'Faces[]', match: 'same-set', key: faceOwnership },
  { path: 'DeletedFaces[]', match: 'same-set' },
  { path: 'UnsuccessfulFaceDeletions[]', match: 'same-set', key: faceOutcome },
  { path: 'AssociatedFaces[].FaceId', match: 'same-set' },
  { path: 'UnsuccessfulFaceAssociations[]', match: 'same-set', key: faceOutcome },
  { path: 'DisassociatedFaces[].FaceId', match: 'same-set' },
  { path: 'UnsuccessfulFaceDisassociations[]', match: 'same-set', key: faceOutcome },
  { path: 'SearchedFaceId', match: 'equal' },
  { path: 'SearchedFace.FaceId', match: 'equal' },
  { path: 'SearchedUser.UserId', match: 'equal' },
  { path: 'FaceMatches[].Face.FaceId', match: 'same-set' },
  { path: 'UserMatches[].User.UserId', match: 'same-set' },
];

/**
 * Differences between a documented response and ours, one sentence each (empty when they agree).
 *
 * Structure: every member of the documented output must be in ours with the same JSON type,
 * recursively. A list item of ours is held to the documented item with the same identity
 * (`FaceId`, `UserId`, `Face.FaceId`, `User.UserId`), else to the first documented item, so items
 * that legitimately differ in shape (a low-match entry has `Confidence`, a different-user entry
 * `UserId`) are not compared with each other. An empty list on either side passes here.
 * Values: only those that follow from the input (ids, reasons, status codes); see the rules.
 */
export function compareToDocumented(documented: unknown, actual: unknown): string[] {
  const differences: string[] = [];
  compareStructure(documented, actual, '', differences);
  if (isObject(documented) && isObject(actual)) compareValues(documented, actual, differences);
  return differences;
}

type JsonType = 'absent' | 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';

function jsonType(value: unknown): JsonType {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

function compareStructure(documented: unknown, actual: unknown, path: string, out: string[]): void {
  const expected = jsonType(documented);
  const got = jsonType(actual);
  if (got !== expected) {
    out.push(`${path || '(response)'}: documented ${expected}, got ${got}`);
    return;
  }
  if (isObject(documented) && isObject(actual)) {
    for (const [key, value] of Object.entries(documented)) {
      if (actual[key] === undefined && MAY_BE_ABSENT.has(key)) continue;
      compareStructure(value, actual[key], path ? `${path}.${key}` : key, out);
    }
  } else if (Array.isArray(documented) && Array.isArray(actual) && documented.length > 0) {
    actual.forEach((item, i) => {
      const id = identity(item);
      const counterpart =
        documented.find((d) => id !== undefined && identity(d) === id) ?? documented[0];
      compareStructure(counterpart, item, `${path}[${i}]`, out);
    });
  }
}

function identity(item: unknown): string | undefined {
  if (!isObject(item)) return undefined;
  const candidates = [
    item.FaceId,
    item.UserId,
    field(item.Face, 'FaceId'),
    field(item.User, 'UserId'),
  ];
  return candidates.find((c): c is string => typeof c === 'string');
}

function compareValues(documented: WireObject, actual: WireObject, out: string[]): void {
  for (const rule of DETERMINISTIC_VALUES) {
    const member = rule.path.split(/[.[]/)[0];
    // A missing member is already reported by the structural comparison.
    if (documented[member] === undefined || actual[member] === undefined) continue;
    const key = rule.key ?? ((v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)));
    const want = collect(documented, rule.path).map(key);
    const got = collect(actual, rule.path).map(key);
    if (rule.match === 'equal') {
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        out.push(`${rule.path}: documented ${show(want)}, got ${show(got)}`);
      }
      continue;
    }
    const missing = want.filter((v) => !got.includes(v));
    const unexpected = rule.match === 'same-set' ? got.filter((v) => !want.includes(v)) : [];
    if (missing.length > 0) out.push(`${rule.path}: missing ${show(missing)}`);
    if (unexpected.length > 0) out.push(`${rule.path}: not documented ${show(unexpected)}`);
  }
}

/** Values at a rule path, flattening lists marked `[]`. */
function collect(root: unknown, path: string): unknown[] {
  let values: unknown[] = [root];
  for (const token of path.split('.')) {
    const name = token.replace(/\[\]$/, '');
    values = values.flatMap((v) => (isObject(v) && v[name] !== undefined ? [v[name]] : []));
    if (token.endsWith('[]')) values = values.flatMap((v) => (Array.isArray(v) ? v : []));
  }
  return values;
}

function maskArnScope(value: unknown): string {
  return String(value).replace(
    /^((?:arn:)?aws:rekognition):[^:]*:[^:]*:/,
    '$1:<region>:<account>:',
  );
}

/** `FaceId (of UserId): REASON, ...` for an UnsuccessfulFace* entry. */
function faceOutcome(value: unknown): string {
  const reasons = field(value, 'Reasons');
  const sorted = Array.isArray(reasons) ? [...reasons].map(String).sort() : [];
  return `${faceOwnership(value)}: ${sorted.join(', ')}`;
}

function faceOwnership(value: unknown): string {
  const userId = field(value, 'UserId');
  return `${String(field(value, 'FaceId'))}${userId === undefined ? '' : ` of ${String(userId)}`}`;
}

function show(values: string[]): string {
  return values.length === 1 ? values[0] : `[${values.join('; ')}]`;
}

// ---- JSON helpers -----------------------------------------------------------------------------

function isObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

/** Every object in a JSON value, depth first, the value itself included. */
function objectsIn(value: unknown): WireObject[] {
  if (Array.isArray(value)) return value.flatMap(objectsIn);
  if (!isObject(value)) return [];
  return [value, ...Object.values(value).flatMap(objectsIn)];
}

function stringsAt(value: unknown, path: string): string[] {
  return collect(value, path).filter((v): v is string => typeof v === 'string');
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
