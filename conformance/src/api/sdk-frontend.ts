import * as rekognition from '@aws-sdk/client-rekognition';
import type { OperationName } from '@facekit/core';
import { ApiCallError, type ApiFrontend, type WireObject } from './api-frontend.js';

export interface SdkFrontendOptions {
  /** The server; leave out for the SDK's own regional endpoint (real Amazon Rekognition). */
  endpoint?: string;
  region?: string;
  /**
   * Keys to sign with, or `'default-chain'` for the SDK's standard credential chain
   * (environment, profiles, SSO, instance roles...). Default: the test key pair.
   */
  credentials?: rekognition.RekognitionClientConfig['credentials'] | 'default-chain';
  /** Attempts per call (default 1: a conformance failure is never retried away). */
  maxAttempts?: number;
}

type CommandClass = new (input: unknown) => Parameters<rekognition.RekognitionClient['send']>[0];

/**
 * The real `@aws-sdk/client-rekognition` against a running server. Inputs are converted from
 * wire JSON to SDK values (base64 → Uint8Array) and outputs back (Date → epoch seconds), so a
 * scenario reads the same whichever frontend runs it.
 */
export function createSdkFrontend(options: SdkFrontendOptions): ApiFrontend & {
  client: rekognition.RekognitionClient;
} {
  const credentials =
    options.credentials === 'default-chain'
      ? {}
      : {
          credentials: options.credentials ?? {
            accessKeyId: 'AKIDFACEKITTEST',
            secretAccessKey: 'facekit-test-secret',
          },
        };
  const client = new rekognition.RekognitionClient({
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    region: options.region ?? 'us-east-1',
    ...credentials,
    maxAttempts: options.maxAttempts ?? 1,
  });
  return {
    name: 'AWS SDK over HTTP',
    sendsRawInput: false,
    client,
    async call(operation: OperationName, input: WireObject) {
      const Command = (rekognition as unknown as Record<string, CommandClass>)[
        `${operation}Command`
      ];
      if (!Command) throw new Error(`@aws-sdk/client-rekognition has no ${operation}Command`);
      try {
        const response: unknown = await client.send(new Command(toSdk(input)));
        const { $metadata: _metadata, ...output } = response as WireObject;
        return fromSdk(output) as WireObject;
      } catch (error) {
        const e = error as {
          name?: string;
          message?: string;
          $metadata?: { httpStatusCode?: number };
        };
        if (!(error instanceof rekognition.RekognitionServiceException)) throw error;
        throw new ApiCallError(
          {
            name: e.name ?? 'Unknown',
            message: e.message ?? '',
            httpStatus: e.$metadata?.httpStatusCode,
          },
          { cause: error },
        );
      }
    },
  };
}

function toSdk(value: unknown, key = ''): unknown {
  if (key === 'Bytes' && typeof value === 'string') {
    return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  }
  if (Array.isArray(value)) return value.map((v) => toSdk(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toSdk(v, k)]));
  }
  return value;
}

function fromSdk(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return btoa(String.fromCharCode(...value));
  if (Array.isArray(value)) return value.map(fromSdk);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, fromSdk(v)]),
    );
  }
  return value;
}
