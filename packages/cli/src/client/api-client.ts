import {
  type ExtensionOperationName,
  type ExtensionOperationShapes,
  extensionOperations,
  type OperationName,
  type OperationShapes,
  type RequestOptions,
} from '@facekit/core';

/** Wire-shaped input with image bytes as raw bytes (each client encodes them as its transport needs). */
export type ClientInput<Op extends OperationName> = WithBytes<OperationShapes[Op]['input']>;
/** Wire-shaped output: exactly what the Rekognition API returns (timestamps in epoch seconds). */
export type ClientOutput<Op extends OperationName> = OperationShapes[Op]['output'];
/** {@link ClientInput} of a facekit extension operation. */
export type ExtensionClientInput<Op extends ExtensionOperationName> = WithBytes<
  ExtensionOperationShapes[Op]['input']
>;
/** Wire-shaped output of a facekit extension operation. */
export type ExtensionClientOutput<Op extends ExtensionOperationName> =
  ExtensionOperationShapes[Op]['output'];

type WithBytes<T> = T extends { Bytes?: unknown }
  ? Omit<T, 'Bytes'> & { Bytes?: Uint8Array }
  : T extends readonly (infer E)[]
    ? WithBytes<E>[]
    : T extends object
      ? { [K in keyof T]: WithBytes<T[K]> }
      : T;

/**
 * The one seam every command talks to: the service in-process on a local data directory, or a
 * running server through the AWS SDK. Commands are written once against it.
 */
export interface ApiClient {
  /** `local <store path>` or the endpoint URL, for messages. */
  readonly description: string;
  /**
   * One operation. `options` are facekit's extensions (e.g. a target false accept rate): passed
   * to the service locally, sent as `x-facekit-*` headers to a server.
   */
  call<Op extends OperationName>(
    operation: Op,
    input: ClientInput<Op>,
    options?: RequestOptions,
  ): Promise<ClientOutput<Op>>;
  /**
   * One facekit extension operation (`FacekitService.<Operation>`): `FaceService.executeExtension`
   * locally, a SigV4-signed AWS JSON request to a server (the SDK has no command for it).
   */
  callExtension<Op extends ExtensionOperationName>(
    operation: Op,
    input: ExtensionClientInput<Op>,
    options?: RequestOptions,
  ): Promise<ExtensionClientOutput<Op>>;
  close(): Promise<void>;
}

/** A failed API call, named like the Rekognition error (`InvalidParameterException`, ...). */
export class ApiError extends Error {
  override readonly name: string;

  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** Operations that run the face pipeline (the local client loads the models only for these). */
export const imageOperations: ReadonlySet<OperationName> = new Set<OperationName>([
  'DetectFaces',
  'IndexFaces',
  'SearchFacesByImage',
  'CompareFaces',
  'SearchUsersByImage',
  'StartFaceDetection',
  'StartFaceSearch',
]);

/**
 * Extension operations that need the face models: those that take an image (their model
 * declares ImageTooLargeException). The Similarity calibration needs none (see local-service).
 */
export const modelExtensions: ReadonlySet<ExtensionOperationName> = new Set(
  (Object.keys(extensionOperations) as ExtensionOperationName[]).filter((name) =>
    (extensionOperations[name].errors as readonly string[]).includes('ImageTooLargeException'),
  ),
);

/** Wire JSON carries blobs as base64; clients take raw bytes. */
export function encodeBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(encodeBytes);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeBytes(v)]));
  }
  return value;
}
