import type {
  FacekitOperationName,
  FacekitOperationShapes,
  OperationName,
  OperationShapes,
  RequestOptions,
} from '@facekit/core';

/** Wire-shaped input with image bytes as raw bytes (each client encodes them as its transport needs). */
export type ClientInput<Op extends OperationName> = WithBytes<OperationShapes[Op]['input']>;
/** Input of a facekit extension operation, image bytes raw as in {@link ClientInput}. */
export type FacekitClientInput<Op extends FacekitOperationName> = WithBytes<
  FacekitOperationShapes[Op]['input']
>;
/** Wire-shaped output: exactly what the Rekognition API returns (timestamps in epoch seconds). */
export type ClientOutput<Op extends OperationName> = OperationShapes[Op]['output'];

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
   * One of facekit's extension operations (`FacekitService.<Operation>`: WhoIsInImage,
   * ExplainMatch), in-process or as a signed AWS JSON request to the server.
   */
  callFacekit<Op extends FacekitOperationName>(
    operation: Op,
    input: FacekitClientInput<Op>,
    options?: RequestOptions,
  ): Promise<FacekitOperationShapes[Op]['output']>;
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
]);
