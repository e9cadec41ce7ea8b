import type { FaceStore, OperationName, StoredFace } from '@facekit/core';
import { expect } from 'vitest';
import {
  type ApiCallError,
  type ApiHarness,
  FrontendLimitation,
  isFrontendLimitation,
  type WireObject,
} from '../api-frontend.js';
import { afterEach, assertOutputShape, beforeEach } from '../scenario-suite.js';

export const DIMENSIONS = 64;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What every group of API scenarios works with: the harness under test and calling helpers. */
export interface ApiScenarioContext {
  /** The running scenario's harness (set by {@link useApiHarness}'s `beforeEach`). */
  readonly harness: ApiHarness;
  /** The harness's store, when it gives one (scenarios that seed faces need it). */
  readonly store: FaceStore | undefined;
  /** Calls the operation and checks the response against the model's output shape. */
  call(operation: OperationName, input: WireObject): Promise<WireObject>;
  /** Calls an operation that must fail; returns the error. */
  callError(operation: OperationName, input: WireObject): Promise<ApiCallError>;
  /** Expects the error `name` (and `message`), with the HTTP status Rekognition sends. */
  expectError(
    operation: OperationName,
    input: WireObject,
    name: string,
    message?: RegExp,
  ): Promise<ApiCallError>;
  collectionArn(id: string): string;
  /** Puts faces with chosen vectors straight into the store; returns their ids. */
  seedFaces(
    collectionId: string,
    vectors: Float32Array[],
    externalImageId?: string,
  ): Promise<string[]>;
  /** Every page of a listing, `pageSize` at a time. */
  listAll(
    operation: 'ListCollections' | 'ListFaces' | 'ListUsers',
    input: WireObject,
    pageSize: number,
  ): Promise<WireObject[]>;
}

/**
 * Registers, in the current scenario group, a harness from `setup` before each scenario (closed
 * after it), and returns the context the scenario groups take.
 */
export function useApiHarness(setup: () => Promise<ApiHarness>): ApiScenarioContext {
  let harness: ApiHarness | undefined;
  beforeEach(async () => {
    harness = await setup();
  });
  afterEach(async () => {
    await harness?.close();
  });
  const current = (): ApiHarness => {
    if (!harness) throw new Error('no harness: API scenarios run inside useApiHarness');
    return harness;
  };

  async function call(operation: OperationName, input: WireObject): Promise<WireObject> {
    const output = await current().frontend.call(operation, input);
    assertOutputShape(operation, output);
    return output;
  }

  async function callError(operation: OperationName, input: WireObject): Promise<ApiCallError> {
    const error = await current()
      .frontend.call(operation, input)
      .then(
        (output) => {
          throw new Error(`${operation} succeeded unexpectedly: ${JSON.stringify(output)}`);
        },
        (e: ApiCallError) => {
          if (isFrontendLimitation(e)) throw e;
          return e;
        },
      );
    expect(typeof error.name).toBe('string');
    return error;
  }

  return {
    get harness() {
      return current();
    },
    get store() {
      return current().store;
    },
    call,
    callError,
    async expectError(operation, input, name, message) {
      const error = await callError(operation, input);
      expect(`${error.name}: ${error.message}`).toMatch(new RegExp(`^${name}: `));
      if (message) expect(error.message).toMatch(message);
      if (error.httpStatus !== undefined) {
        const serverFault = name === 'InternalServerError' || name === 'ThrottlingException';
        expect(error.httpStatus).toBe(serverFault ? 500 : 400);
      }
      return error;
    },
    collectionArn: (id) =>
      `arn:aws:rekognition:${current().region}:${current().accountId}:collection/${id}`,
    async seedFaces(collectionId, vectors, externalImageId) {
      const store = current().store;
      if (!store) {
        throw new FrontendLimitation(
          'seeds faces with chosen vectors, which needs direct access to the store',
        );
      }
      const faces: StoredFace[] = vectors.map((vector, i) => ({
        faceId: crypto.randomUUID(),
        imageId: crypto.randomUUID(),
        ...(externalImageId ? { externalImageId } : {}),
        boundingBox: { width: 0.2, height: 0.3, left: 0.1 * i, top: 0.05 },
        confidence: 99.9,
        indexFacesModelVersion: '7.0',
        createdAt: Date.now(),
        vector,
      }));
      await store.putFaces(collectionId, faces);
      return faces.map((f) => f.faceId);
    },
    async listAll(operation, input, pageSize) {
      const pages: WireObject[] = [];
      let NextToken: string | undefined;
      do {
        const page = await call(operation, {
          ...input,
          MaxResults: pageSize,
          ...(NextToken ? { NextToken } : {}),
        });
        pages.push(page);
        NextToken = page.NextToken as string | undefined;
        if (NextToken) expect(NextToken.length).toBeLessThanOrEqual(255);
      } while (NextToken && pages.length < 100);
      return pages;
    },
  };
}
