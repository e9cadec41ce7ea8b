import {
  ImageTooLargeException,
  InvalidParameterException,
  UnknownOperationException,
} from '../errors/exceptions.js';
import {
  type ExtensionOperationName,
  type ExtensionOperationShapes,
  extensionOperations,
  extensionShapes,
} from '../model/extension-model.js';
import type { ShapeSpec, StructureShapeSpec } from '../model/shape-spec.js';
import { operations, shapes as rekognitionShapes } from '../model/shapes.generated.js';
import type { OperationName, OperationShapes } from '../model/wire-types.generated.js';

/** Which kind of constraint a {@link ShapeViolation} broke. */
export type ShapeViolationRule =
  | 'required'
  | 'type'
  | 'length'
  | 'range'
  | 'pattern'
  | 'enum'
  | 'unknown-member'
  | 'base64';

/** One way a value fails to match a model shape. */
export interface ShapeViolation {
  /** Where, in the path syntax described on {@link validateShape}. */
  readonly path: string;
  readonly rule: ShapeViolationRule;
  /** The model shape whose constraint failed (for `unknown-member`, the enclosing structure). */
  readonly shape: string;
  /** One Coral-style sentence, e.g. `Value 'a b' at 'collectionId' failed to satisfy constraint: …`. */
  readonly message: string;
}

/** How many violations an `InvalidParameterException` message lists; the count covers all. */
const MAX_LISTED_VIOLATIONS = 10;
/** Longest rendering of a client value inside a message, in code points. */
const MAX_VALUE_CHARS = 64;
/** The shape whose `max` is reported as `ImageTooLargeException`, as Rekognition does. */
const IMAGE_BLOB_SHAPE = 'ImageBlob';
/** Standard base64 digits by char code (`A`–`Z`, `a`–`z`, `0`–`9`, `+`, `/`); 0 for any other. */
const BASE64_DIGIT = (() => {
  const table = new Uint8Array(128);
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < digits.length; i++) table[digits.charCodeAt(i)] = 1;
  return table;
})();
/** Characters of base64 checked per step, and the bytes they are encoded into. */
const BASE64_CHUNK = 16_384;
const base64Scratch = new Uint8Array(BASE64_CHUNK);
const utf8Encoder = new TextEncoder();
/** Rekognition's shapes and facekit's extension shapes (which may refer to Rekognition's). */
const shapes: Readonly<Record<string, ShapeSpec>> = { ...rekognitionShapes, ...extensionShapes };

/**
 * Checks `value` against a shape of the Rekognition model and returns every violation (an
 * empty array when it conforms). Used for requests, through {@link validateRequest}, and by the
 * conformance suite for our own responses.
 *
 * Paths follow the AWS/Coral convention, starting from `path` (`''` for a whole body):
 * - structure members are lowerCamel and joined with `.`: `image.s3Object.bucket`;
 * - list items are 1-based with a `member` suffix: `faceIds.1.member`, `faceDetails.2.member.pose`;
 * - map entries are 1-based in key order, as in the AWS query protocol: `tags.entry.3.key`,
 *   `tags.entry.3.value`;
 * - an unknown member's path ends with its name as sent: `image.Foo`.
 *
 * Rules:
 * - JSON `null` counts as absent for structure members (AWS treats null as not set). A `null`
 *   list item or map value is a `required` violation.
 * - Unknown members are **rejected** at every depth (`unknown-member`). AWS ignores some of
 *   them; facekit refuses them on purpose, so a misspelt or wrongly cased option (`maxFaces`)
 *   fails loudly instead of silently falling back to a default.
 * - String `min`/`max` count Unicode code points (a surrogate pair is one), not UTF-16 units.
 * - `integer`/`long` must be integral numbers; `float`/`double` any finite number; `boolean`
 *   strictly `true`/`false`; `timestamp` a finite number of epoch seconds.
 * - `blob` must be a standard-alphabet base64 string with `=` padding (length a multiple of 4);
 *   its `min`/`max` apply to the decoded byte count, computed from the length without decoding.
 * - Patterns are full matches (the generator anchors them) with the `u` flag.
 * - A string that fails several constraints yields one violation per constraint.
 * - Violations come in model member order (alphabetical), unknown members last.
 *
 * @param shapeName a key of `shapes` or `extensionShapes`, e.g. `CreateCollectionRequest`.
 * @param path where `value` sits; prefixed to every violation's path.
 * @throws {Error} when `shapeName` is not in the model (a programming error).
 */
export function validateShape(shapeName: string, value: unknown, path: string): ShapeViolation[] {
  const collector = new Collector(Number.POSITIVE_INFINITY);
  if (value === null || value === undefined) {
    specOf(shapeName);
    collector.add(path, 'required', shapeName, () =>
      failed(value, path, 'Member must not be null'),
    );
  } else {
    walk(shapeName, value, path, collector);
  }
  return collector.violations;
}

/**
 * Validates the JSON body of an operation against the operation's input shape, with the rules
 * of {@link validateShape}.
 *
 * @returns a copy of `input` with `null` members removed, so `=== undefined` checks downstream
 *   are honest. Unchanged values are shared, not cloned.
 * @throws {InvalidParameterException} when `input` is not a JSON object ("Request body must be a
 *   JSON object") or violates the model. The message follows AWS/Coral wording and lists up to
 *   10 violations: `2 validation errors detected: Value null at 'collectionId' failed to satisfy
 *   constraint: Member must not be null; Value 0 at 'maxFaces' …`. Client values are cut to 64
 *   characters.
 * @throws {ImageTooLargeException} "Image size is too large." when an image's `Bytes` decode to
 *   more than 5 MiB (the `ImageBlob` maximum). It wins over any other violation.
 * @throws {UnknownOperationException} when `operation` is not an in-scope operation.
 * @see https://docs.aws.amazon.com/rekognition/latest/dg/error-handling.html
 */
export function validateRequest<Op extends OperationName>(
  operation: Op,
  input: unknown,
): OperationShapes[Op]['input'] {
  if (!Object.hasOwn(operations, operation)) {
    throw new UnknownOperationException(`Unknown operation ${formatValue(operation)}`);
  }
  if (!isJsonObject(input)) {
    throw new InvalidParameterException('Request body must be a JSON object');
  }
  return validateInput(operations[operation].input, input) as OperationShapes[Op]['input'];
}

/**
 * {@link validateRequest} for one of facekit's extension operations (`FacekitService.*`): the
 * same rules and errors, against the shapes of `model/extension-model.ts`.
 * @throws {UnknownOperationException} when `operation` is not an extension operation.
 */
export function validateExtensionRequest<Op extends ExtensionOperationName>(
  operation: Op,
  input: unknown,
): ExtensionOperationShapes[Op]['input'] {
  if (!Object.hasOwn(extensionOperations, operation)) {
    throw new UnknownOperationException(`Unknown operation ${formatValue(operation)}`);
  }
  if (!isJsonObject(input)) {
    throw new InvalidParameterException('Request body must be a JSON object');
  }
  return validateInput(
    extensionOperations[operation].input,
    input,
  ) as ExtensionOperationShapes[Op]['input'];
}

function validateInput(shapeName: string, input: Record<string, unknown>): unknown {
  const collector = new Collector(MAX_LISTED_VIOLATIONS);
  walk(shapeName, input, '', collector);
  if (collector.imageTooLarge) throw new ImageTooLargeException('Image size is too large.');
  if (collector.count > 0) throw new InvalidParameterException(summarize(collector));
  return withoutNulls(shapeName, input);
}

class Collector {
  readonly violations: ShapeViolation[] = [];
  count = 0;
  imageTooLarge = false;

  constructor(private readonly limit: number) {}

  /** Counts a violation; builds its message only while under the limit. */
  add(path: string, rule: ShapeViolationRule, shape: string, message: () => string): void {
    this.count++;
    if (this.violations.length < this.limit) {
      this.violations.push({ path, rule, shape, message: message() });
    }
  }
}

function summarize(collector: Collector): string {
  const { count, violations } = collector;
  const listed = violations.map((violation) => violation.message).join('; ');
  const more = count > violations.length ? `; (${count - violations.length} more not shown)` : '';
  return `${count} validation error${count === 1 ? '' : 's'} detected: ${listed}${more}`;
}

function specOf(shapeName: string): ShapeSpec {
  if (!Object.hasOwn(shapes, shapeName)) throw new Error(`Unknown model shape: ${shapeName}`);
  return shapes[shapeName];
}

function walk(shapeName: string, value: unknown, path: string, collector: Collector): void {
  const spec = specOf(shapeName);
  const fail = (rule: ShapeViolationRule, constraint: string) =>
    collector.add(path, rule, shapeName, () => failed(value, path, constraint));

  switch (spec.type) {
    case 'structure':
      if (!isJsonObject(value)) {
        fail('type', 'Member must be a structure (JSON object)');
        return;
      }
      walkStructure(shapeName, spec, value, path, collector);
      return;

    case 'list': {
      if (!Array.isArray(value)) {
        fail('type', 'Member must be a list (JSON array)');
        return;
      }
      checkLength(value.length, spec, fail);
      for (let i = 0; i < value.length; i++) {
        walkItem(spec.member, value[i], join(path, `${i + 1}.member`), collector);
      }
      return;
    }

    case 'map': {
      if (!isJsonObject(value)) {
        fail('type', 'Member must be a map (JSON object)');
        return;
      }
      const keys = Object.keys(value);
      checkLength(keys.length, spec, fail);
      keys.forEach((key, i) => {
        const entry = join(path, `entry.${i + 1}`);
        walk(spec.key, key, `${entry}.key`, collector);
        walkItem(spec.value, value[key], `${entry}.value`, collector);
      });
      return;
    }

    case 'string':
      if (typeof value !== 'string') {
        fail('type', 'Member must be a string');
        return;
      }
      if (spec.min !== undefined || spec.max !== undefined) {
        checkLength(codePointLength(value), spec, fail);
      }
      if (spec.pattern !== undefined && !compile(spec.pattern).test(value)) {
        fail('pattern', `Member must satisfy regular expression pattern: ${spec.pattern}`);
      }
      if (spec.enum !== undefined && !spec.enum.includes(value)) {
        fail('enum', `Member must satisfy enum value set: [${spec.enum.join(', ')}]`);
      }
      return;

    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        fail('type', 'Member must be an integer');
        return;
      }
      checkRange(value, spec, fail);
      return;

    case 'float':
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        fail('type', 'Member must be a finite number');
        return;
      }
      checkRange(value, spec, fail);
      return;

    case 'boolean':
      if (typeof value !== 'boolean') fail('type', 'Member must be a boolean');
      return;

    case 'timestamp':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        fail('type', 'Member must be a timestamp (a number of epoch seconds)');
      }
      return;

    case 'blob': {
      if (typeof value !== 'string') {
        fail('type', 'Member must be a base64-encoded string');
        return;
      }
      const bytes = decodedLength(value);
      if (bytes === undefined) {
        fail('base64', 'Member must be standard base64 with padding');
        return;
      }
      if (shapeName === IMAGE_BLOB_SHAPE && spec.max !== undefined && bytes > spec.max) {
        collector.imageTooLarge = true;
      }
      checkLength(bytes, spec, fail);
      return;
    }
  }
}

function walkStructure(
  shapeName: string,
  spec: StructureShapeSpec,
  value: Record<string, unknown>,
  path: string,
  collector: Collector,
): void {
  for (const [name, member] of Object.entries(spec.members)) {
    const memberPath = join(path, lowerCamel(name));
    const memberValue = Object.hasOwn(value, name) ? value[name] : undefined;
    if (memberValue === null || memberValue === undefined) {
      if (member.required) {
        collector.add(memberPath, 'required', member.target, () =>
          failed(null, memberPath, 'Member must not be null'),
        );
      }
    } else {
      walk(member.target, memberValue, memberPath, collector);
    }
  }
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(spec.members, key) || value[key] === null) continue;
    collector.add(join(path, key), 'unknown-member', shapeName, () =>
      unknownMember(shapeName, spec, key, path),
    );
  }
}

/** A list item or map value: present, and then like any value. */
function walkItem(shapeName: string, value: unknown, path: string, collector: Collector): void {
  if (value === null || value === undefined) {
    collector.add(path, 'required', shapeName, () => failed(null, path, 'Member must not be null'));
  } else {
    walk(shapeName, value, path, collector);
  }
}

type Fail = (rule: ShapeViolationRule, constraint: string) => void;

function checkLength(length: number, spec: { min?: number; max?: number }, fail: Fail): void {
  if (spec.min !== undefined && length < spec.min) {
    fail('length', `Member must have length greater than or equal to ${spec.min}`);
  }
  if (spec.max !== undefined && length > spec.max) {
    fail('length', `Member must have length less than or equal to ${spec.max}`);
  }
}

function checkRange(value: number, spec: { min?: number; max?: number }, fail: Fail): void {
  if (spec.min !== undefined && value < spec.min) {
    fail('range', `Member must have value greater than or equal to ${spec.min}`);
  }
  if (spec.max !== undefined && value > spec.max) {
    fail('range', `Member must have value less than or equal to ${spec.max}`);
  }
}

function failed(value: unknown, path: string, constraint: string): string {
  return `Value ${formatValue(value)} at '${path}' failed to satisfy constraint: ${constraint}`;
}

function unknownMember(
  shapeName: string,
  spec: StructureShapeSpec,
  key: string,
  parentPath: string,
): string {
  const names = Object.keys(spec.members);
  const lower = key.toLowerCase();
  const sameButCase = names.find((name) => name.toLowerCase() === lower);
  const hint = sameButCase
    ? `did you mean '${sameButCase}'? Member names are case-sensitive`
    : names.length === 0
      ? `${shapeName} has no members`
      : `${shapeName} has members ${names.join(', ')}`;
  const where = parentPath ? ` at '${parentPath}'` : '';
  return `Unknown parameter ${formatValue(key)}${where}: ${hint}`;
}

/**
 * The byte count `text` decodes to, or `undefined` when it is not standard base64 with padding.
 * Images arrive as megabytes of base64: the text is encoded a chunk at a time into a scratch
 * buffer (a copy for ASCII) and its bytes looked up in a table, which takes about half the time
 * of `charCodeAt` per character (a regular expression took 2.5 times as long as that).
 */
function decodedLength(text: string): number | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const end = text.length - padding;
  for (let start = 0; start < end; start += BASE64_CHUNK) {
    const chunk = text.slice(start, Math.min(end, start + BASE64_CHUNK));
    const { read, written } = utf8Encoder.encodeInto(chunk, base64Scratch);
    // A character outside ASCII takes several bytes, so the counts differ.
    if (read !== chunk.length || written !== chunk.length) return undefined;
    let valid = 1;
    for (let i = 0; i < written; i++) valid &= BASE64_DIGIT[base64Scratch[i]];
    if (valid === 0) return undefined;
  }
  return (text.length / 4) * 3 - padding;
}

function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

const compiled = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (!regex) {
    regex = new RegExp(pattern, 'u');
    compiled.set(pattern, regex);
  }
  return regex;
}

/**
 * Renders a client value for a message, AWS style (`'text'`, `5`, `null`), cut to
 * {@link MAX_VALUE_CHARS} so a huge string or list cannot blow up an error body. Containers are
 * rendered as JSON, stopping as soon as the budget is spent.
 */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${escapeControls(truncate(value))}'`;
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return truncate(String(value));
  const parts: string[] = [];
  let used = 0;
  const emit = (text: string): boolean => {
    parts.push(text);
    used += text.length;
    return used <= MAX_VALUE_CHARS;
  };
  const render = (item: unknown): boolean => {
    if (Array.isArray(item)) {
      if (!emit('[')) return false;
      for (let i = 0; i < item.length; i++) {
        if ((i > 0 && !emit(',')) || !render(item[i])) return false;
      }
      return emit(']');
    }
    if (isJsonObject(item)) {
      if (!emit('{')) return false;
      let first = true;
      for (const key in item) {
        if (!Object.hasOwn(item, key)) continue;
        if ((!first && !emit(',')) || !emit(`${JSON.stringify(truncate(key))}:`)) return false;
        if (!render(item[key])) return false;
        first = false;
      }
      return emit('}');
    }
    return emit(typeof item === 'string' ? JSON.stringify(truncate(item)) : String(item ?? 'null'));
  };
  render(value);
  return truncate(parts.join(''));
}

/** Shows control characters (newlines, NUL…) as escapes so a message stays on one line. */
function escapeControls(text: string): string {
  return text.replace(/\p{Cc}/gu, (char) => {
    const escaped = JSON.stringify(char);
    return escaped.slice(1, -1);
  });
}

function truncate(text: string): string {
  if (text.length <= MAX_VALUE_CHARS) return text;
  const cut = text.slice(0, MAX_VALUE_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  // Never end on half a surrogate pair.
  return `${last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut}...`;
}

function join(path: string, segment: string): string {
  return path ? `${path}.${segment}` : segment;
}

function lowerCamel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rebuilds a valid value without the `null` structure members the walker treated as absent. */
function withoutNulls(shapeName: string, value: unknown): unknown {
  const spec = shapes[shapeName];
  if (spec.type === 'structure' && isJsonObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(spec.members)) {
      const memberValue = Object.hasOwn(value, name) ? value[name] : undefined;
      if (memberValue !== null && memberValue !== undefined) {
        out[name] = withoutNulls(member.target, memberValue);
      }
    }
    return out;
  }
  if (spec.type === 'list' && Array.isArray(value)) {
    const member = shapes[spec.member];
    return member.type === 'structure' || member.type === 'list' || member.type === 'map'
      ? value.map((item) => withoutNulls(spec.member, item))
      : value;
  }
  if (spec.type === 'map' && isJsonObject(value)) {
    const target = shapes[spec.value];
    if (target.type !== 'structure' && target.type !== 'list' && target.type !== 'map')
      return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = withoutNulls(spec.value, value[key]);
    return out;
  }
  return value;
}
