/**
 * Runtime description of one shape of the Rekognition model, as emitted into
 * `shapes.generated.ts` by `tools/codegen/generate-model.ts` and walked by `validateShape`.
 *
 * Constraints mean what they mean in the botocore model:
 * - `min`/`max` on `string` count characters (code points, see `validateShape`);
 * - on `blob` they count decoded bytes, not base64 characters;
 * - on `list` and `map` they count items and entries;
 * - on numbers they bound the value, inclusively.
 *
 * `pattern` is always anchored (`^…$`, full match) and is compiled with the `u` flag.
 *
 * @see https://smithy.io/2.0/spec/constraint-traits.html
 */
export type ShapeSpec =
  | StructureShapeSpec
  | ListShapeSpec
  | MapShapeSpec
  | StringShapeSpec
  | NumberShapeSpec
  | BooleanShapeSpec
  | BlobShapeSpec
  | TimestampShapeSpec;

/** A member of a structure: the name of the shape it targets and whether it must be set. */
export interface MemberSpec {
  readonly target: string;
  readonly required?: true;
}

/** A JSON object with a fixed set of PascalCase members. */
export interface StructureShapeSpec {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, MemberSpec>>;
}

/** A JSON array whose items all target `member`; `min`/`max` count items. */
export interface ListShapeSpec {
  readonly type: 'list';
  readonly member: string;
  readonly min?: number;
  readonly max?: number;
}

/** A JSON object with free-form keys; `min`/`max` count entries. */
export interface MapShapeSpec {
  readonly type: 'map';
  readonly key: string;
  readonly value: string;
  readonly min?: number;
  readonly max?: number;
}

/** A JSON string; `enum` lists the allowed values in model order. */
export interface StringShapeSpec {
  readonly type: 'string';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
}

/** A JSON number. `integer` and `long` must be integral; `float` and `double` only finite. */
export interface NumberShapeSpec {
  readonly type: 'integer' | 'long' | 'float' | 'double';
  readonly min?: number;
  readonly max?: number;
}

/** A JSON boolean. */
export interface BooleanShapeSpec {
  readonly type: 'boolean';
}

/** Bytes, sent as a standard padded base64 JSON string; `min`/`max` count decoded bytes. */
export interface BlobShapeSpec {
  readonly type: 'blob';
  readonly min?: number;
  readonly max?: number;
}

/** A point in time, sent as a JSON number of epoch seconds (a fraction is allowed). */
export interface TimestampShapeSpec {
  readonly type: 'timestamp';
}

/** An operation: its input and output structure names and the errors the model declares for it. */
export interface OperationSpec {
  readonly input: string;
  readonly output: string;
  readonly errors: readonly string[];
}
