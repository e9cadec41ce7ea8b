import type { OperationName, ShapeViolation } from '@facekit/core';
import { operations, shapes, validateShape } from '@facekit/core';
import * as vitest from 'vitest';
import { isFrontendLimitation } from './api-frontend.js';

/**
 * Scenarios written once with `describe`/`it`/`beforeEach`/`afterEach`, as in vitest, but
 * collected into a tree instead of registered with a runner: the same tree then runs under
 * vitest ({@link registerWithVitest}) and under the `facekit-conformance` command
 * ({@link runScenarioSuite}). Assertions use vitest's `expect`, which works outside vitest too.
 */
export interface ScenarioGroup {
  readonly kind: 'group';
  readonly name: string;
  readonly children: ScenarioNode[];
  readonly beforeEach: Hook[];
  readonly afterEach: Hook[];
}

export interface ScenarioCase {
  readonly kind: 'case';
  readonly name: string;
  /** Registered as skipped, with this reason. */
  readonly skip?: string;
  readonly run: (context: ScenarioContext) => Promise<void>;
}

export type ScenarioNode = ScenarioGroup | ScenarioCase;
type Hook = () => Promise<void> | void;

export interface ScenarioContext {
  /** Stops the scenario and reports it as skipped. */
  skip(reason?: string): never;
}

/** Thrown by {@link ScenarioContext.skip}. */
export class ScenarioSkipped extends Error {
  override readonly name = 'ScenarioSkipped';
}

let current: ScenarioGroup | undefined;

/** Collects the scenarios `body` declares into a group named `name`. */
export function defineScenarios(name: string, body: () => void): ScenarioGroup {
  const group: ScenarioGroup = { kind: 'group', name, children: [], beforeEach: [], afterEach: [] };
  const parent = current;
  current = group;
  try {
    body();
  } finally {
    current = parent;
  }
  return group;
}

function inGroup(what: string): ScenarioGroup {
  if (!current) throw new Error(`${what} must be called inside defineScenarios()`);
  return current;
}

export function describe(name: string, body: () => void): void {
  const parent = inGroup('describe');
  parent.children.push(defineScenarios(name, body));
}

export function it(name: string, run: (context: ScenarioContext) => Promise<void>): void {
  inGroup('it').children.push({ kind: 'case', name, run });
}

it.skip = (name: string, _run?: unknown, reason = 'skipped') => {
  inGroup('it.skip').children.push({ kind: 'case', name, skip: reason, run: async () => {} });
};

export function beforeEach(hook: Hook): void {
  inGroup('beforeEach').beforeEach.push(hook);
}

export function afterEach(hook: Hook): void {
  inGroup('afterEach').afterEach.push(hook);
}

// ---- shape checks with a readable diff --------------------------------------------------------

/** One field where a response differs from the model: where, what the model says, what came. */
export interface ShapeDifference {
  /** Member path in the response, e.g. `FaceRecords[0].Face.BoundingBox.Width`. */
  path: string;
  expected: string;
  actual: string;
}

/** A response that does not match its operation's output shape in the API model. */
export class ShapeMismatchError extends Error {
  override readonly name = 'ShapeMismatchError';
  constructor(
    readonly operation: string,
    readonly differences: ShapeDifference[],
  ) {
    super(
      `${operation} response does not match the API model (${differences.length} difference${differences.length === 1 ? '' : 's'}):\n${formatShapeDifferences(differences)}`,
    );
  }
}

/** Throws {@link ShapeMismatchError} unless `output` matches the operation's output shape. */
export function assertOutputShape(operation: OperationName, output: unknown): void {
  const violations = validateShape(operations[operation].output, output, '');
  if (violations.length > 0) {
    throw new ShapeMismatchError(
      operation,
      violations.map((v) => shapeDifference(v, output)),
    );
  }
}

export function formatShapeDifferences(differences: readonly ShapeDifference[]): string {
  const width = Math.max(...differences.map((d) => d.path.length), 4);
  return differences
    .map((d) => `  ${d.path.padEnd(width)}  expected ${d.expected}, got ${d.actual}`)
    .join('\n');
}

/** Turns a model violation (Coral path: `faceRecords.1.member.face`) into wire path and types. */
function shapeDifference(violation: ShapeViolation, output: unknown): ShapeDifference {
  const { path, value } = wirePath(violation.path, output);
  const spec = shapes[violation.shape];
  const type = spec?.type ?? 'unknown';
  const expected =
    violation.rule === 'unknown-member'
      ? `no member ${path.split('.').pop()} (not in ${violation.shape})`
      : violation.rule === 'type' || violation.rule === 'required'
        ? `${type} (${violation.shape})${violation.rule === 'required' ? ', required' : ''}`
        : `${type} (${violation.shape}): ${violation.message.replace(/^.*failed to satisfy constraint: /, '')}`;
  return { path: path || '(response)', expected, actual: describeValue(value) };
}

function wirePath(coral: string, root: unknown): { path: string; value: unknown } {
  if (coral === '') return { path: '', value: root };
  const parts = coral.split('.');
  let value: unknown = root;
  let path = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (/^\d+$/.test(part) && parts[i + 1] === 'member') {
      const index = Number(part) - 1;
      path += `[${index}]`;
      value = Array.isArray(value) ? value[index] : undefined;
      i++;
      continue;
    }
    if (part === 'entry' && /^\d+$/.test(parts[i + 1] ?? '')) {
      const keys = value && typeof value === 'object' ? Object.keys(value) : [];
      const key = keys[Number(parts[i + 1]) - 1];
      const which = parts[i + 2];
      path += `[${JSON.stringify(key)}]${which === 'key' ? ' (key)' : ''}`;
      value = which === 'key' ? key : (value as Record<string, unknown>)?.[key as string];
      i += 2;
      continue;
    }
    // Members are lowerCamel in the model's path; find the wire (PascalCase) name.
    const object = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    const name =
      Object.keys(object).find((k) => k.toLowerCase() === part.toLowerCase()) ??
      part.charAt(0).toUpperCase() + part.slice(1);
    path += path ? `.${name}` : name;
    value = object[name];
  }
  return { path, value };
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array (${value.length} items)`;
  if (typeof value === 'object') return 'object';
  const json = JSON.stringify(value);
  return `${typeof value} ${json.length > 40 ? `${json.slice(0, 37)}...` : json}`;
}

// ---- running ----------------------------------------------------------------------------------

export type ScenarioStatus = 'passed' | 'failed' | 'skipped';

export interface ScenarioResult {
  /** Group names from the suite down, then the case name. */
  path: string[];
  status: ScenarioStatus;
  /** Operations called, in order of first call. */
  operations: string[];
  /** The failure or skip reason. */
  message?: string;
  /** For a shape failure: the field-by-field differences. */
  differences?: ShapeDifference[];
  durationMs: number;
}

export interface RunOptions {
  /** Only cases whose full name matches. */
  filter?: RegExp;
  /** Called after each case, e.g. to print progress. */
  onResult?: (result: ScenarioResult) => void;
  /** The operations the current case called; reset before each case. */
  operationLog?: Set<string>;
  /** Stops before the next case when aborted. */
  signal?: AbortSignal;
}

/** Runs every case with its groups' hooks (afterEach hooks run even when the case fails). */
export async function runScenarioSuite(
  suite: ScenarioGroup,
  options: RunOptions = {},
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const log = options.operationLog ?? new Set<string>();

  async function visit(group: ScenarioGroup, ancestors: ScenarioGroup[]) {
    const chain = [...ancestors, group];
    for (const node of group.children) {
      if (node.kind === 'group') {
        await visit(node, chain);
        continue;
      }
      const path = [...chain.map((g) => g.name), node.name];
      if (options.filter && !options.filter.test(path.join(' > '))) continue;
      if (options.signal?.aborted) return;
      log.clear();
      const started = performance.now();
      const result = await runCase(node, chain);
      const done: ScenarioResult = {
        path,
        operations: [...log],
        durationMs: Math.round(performance.now() - started),
        ...result,
      };
      results.push(done);
      options.onResult?.(done);
    }
  }
  await visit(suite, []);
  return results;
}

async function runCase(
  node: ScenarioCase,
  chain: ScenarioGroup[],
): Promise<Pick<ScenarioResult, 'status' | 'message' | 'differences'>> {
  if (node.skip !== undefined) return { status: 'skipped', message: node.skip };
  const ran: ScenarioGroup[] = [];
  let outcome: Pick<ScenarioResult, 'status' | 'message' | 'differences'> = { status: 'passed' };
  try {
    for (const group of chain) {
      ran.push(group);
      for (const hook of group.beforeEach) await hook();
    }
    await node.run(scenarioContext);
  } catch (error) {
    outcome = describeFailure(error);
  }
  for (const group of ran.reverse()) {
    for (const hook of group.afterEach) {
      try {
        await hook();
      } catch (error) {
        if (outcome.status !== 'failed') outcome = describeFailure(error, 'cleanup failed: ');
      }
    }
  }
  return outcome;
}

const scenarioContext: ScenarioContext = {
  skip(reason) {
    throw new ScenarioSkipped(reason ?? 'skipped');
  },
};

function describeFailure(
  error: unknown,
  prefix = '',
): Pick<ScenarioResult, 'status' | 'message' | 'differences'> {
  if (error instanceof ScenarioSkipped || isFrontendLimitation(error)) {
    return { status: 'skipped', message: (error as Error).message };
  }
  if (error instanceof ShapeMismatchError) {
    return { status: 'failed', message: prefix + error.message, differences: error.differences };
  }
  const e = error as { message?: string; actual?: unknown; expected?: unknown; name?: string };
  let message = `${prefix}${e?.name && e.name !== 'Error' && e.name !== 'AssertionError' ? `${e.name}: ` : ''}${e?.message ?? String(error)}`;
  if (e && 'actual' in e && 'expected' in e && e.actual !== undefined) {
    message += `\n  expected: ${compactJson(e.expected)}\n  actual:   ${compactJson(e.actual)}`;
  }
  return { status: 'failed', message };
}

function compactJson(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = String(value);
  }
  return json.length > 600 ? `${json.slice(0, 597)}...` : json;
}

/**
 * Registers the suite with vitest: groups become `describe`s, hooks `beforeEach`/`afterEach`,
 * cases `it`s (skipped ones `it.skip`). Scenarios that skip themselves are reported as skipped.
 */
export function registerWithVitest(group: ScenarioGroup): void {
  vitest.describe(group.name, () => {
    for (const hook of group.beforeEach) vitest.beforeEach(async () => hook());
    for (const hook of group.afterEach) vitest.afterEach(async () => hook());
    for (const node of group.children) {
      if (node.kind === 'group') {
        registerWithVitest(node);
      } else if (node.skip !== undefined) {
        vitest.it.skip(`${node.name} (${node.skip})`, () => {});
      } else {
        vitest.it(node.name, async (context) => {
          try {
            await node.run(scenarioContext);
          } catch (error) {
            if (error instanceof ScenarioSkipped || isFrontendLimitation(error)) {
              context.skip((error as Error).message);
            }
            throw error;
          }
        });
      }
    }
  });
}
