import type { FaceStore, OperationName } from '@facekit/core';

/** A JSON object as it travels on the wire. */
export type WireObject = Record<string, unknown>;

/** What a frontend reports for a failed call, whatever its transport. */
export interface ApiErrorInfo {
  /** The Rekognition error name (`__type`). */
  name: string;
  message: string;
  /** HTTP status, when the frontend has one. */
  httpStatus?: number;
}

/**
 * One way of reaching the service: the core directly, the HTTP server through the AWS SDK, the
 * CLI... Every frontend takes and returns wire-shaped JSON (PascalCase, epoch seconds, base64),
 * so the same scenarios hold each one to the same expectations.
 */
export interface ApiFrontend {
  readonly name: string;
  /**
   * Whether the input reaches the service exactly as given, unknown members and malformed
   * base64 included. SDKs drop members outside the model and encode blobs themselves.
   */
  readonly sendsRawInput: boolean;
  /** Resolves with the wire response, or rejects with an {@link ApiCallError}. */
  call(operation: OperationName, input: WireObject): Promise<WireObject>;
}

export class ApiCallError extends Error implements ApiErrorInfo {
  override readonly name: string;
  readonly httpStatus?: number;

  constructor(info: ApiErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = info.name;
    this.httpStatus = info.httpStatus;
  }
}

/** A frontend plus the store behind it, for seeding faces that IndexFaces would otherwise create. */
export interface ApiHarness {
  frontend: ApiFrontend;
  /**
   * The store behind the frontend, for seeding faces with chosen vectors. A remote endpoint has
   * none: the scenarios that need it are skipped.
   */
  store?: FaceStore;
  /** Photos by file name (`sample1.jpg`...), for the image scenarios; skipped without them. */
  photos?: Readonly<Record<string, Uint8Array>>;
  /** Region and account the service puts in ARNs. */
  region: string;
  accountId: string;
  close(): Promise<void>;
}

/**
 * Thrown by a frontend for a call it cannot express (the CLI has no command for tagging, cannot
 * send an unknown member...). The scenario using it is skipped with this message, not failed.
 */
export class FrontendLimitation extends Error {
  override readonly name = 'FrontendLimitation';
}

export function isFrontendLimitation(error: unknown): error is FrontendLimitation {
  return (error as { name?: unknown } | null)?.name === 'FrontendLimitation';
}
