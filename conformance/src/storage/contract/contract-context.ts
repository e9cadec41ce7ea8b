import { type FaceStore, RekognitionError, type StoredFace } from '@facekit/core';
import { afterEach, beforeEach, expect } from 'vitest';
import { randomUnitVectors } from '../seeded-vectors.js';

export interface FaceStoreContractOptions {
  /** Approximate stores skip the exact top-k checks. */
  search?: 'exact' | 'approximate';
  /**
   * For persistent stores: close `store` and open a new one on the same data. When given, the
   * suite checks that everything written survives.
   */
  reopen?: (store: FaceStore) => Promise<FaceStore>;
  /** Embedding size used by the suite. Default 128. */
  dimensions?: number;
  /**
   * Groups this adapter does not run, each with the reason, which the report shows as a skipped
   * test: `{ concurrency: 'one connection; writes are serialised by the server' }`.
   */
  skip?: Partial<Record<FaceStoreContractGroup, string>>;
}

/** The topics of the contract, one file each in `storage/contract/`. */
export type FaceStoreContractGroup =
  | 'collections'
  | 'tags'
  | 'faces'
  | 'vectorSearch'
  | 'users'
  | 'separations'
  | 'concurrency'
  | 'persistence';

/** What every group of the contract works with: the store under test and seeding helpers. */
export interface FaceStoreContract {
  /** A fresh store for the running test (set by {@link useFaceStoreContract}'s `beforeEach`). */
  store: FaceStore;
  readonly options: FaceStoreContractOptions;
  readonly dimensions: number;
  readonly uuid: () => string;
  /** A face with `vector` and fixed metadata; `overrides` replace members. */
  makeFace(vector: Float32Array, overrides?: Partial<StoredFace>): StoredFace;
  /** Creates a collection (a random id unless given) and returns its id. */
  newCollection(store: FaceStore, collectionId?: string, createdAt?: number): Promise<string>;
  /** Expects `promise` to reject with the `RekognitionError` named `errorName`. */
  expectError(promise: Promise<unknown>, errorName: string): Promise<void>;
  /** Puts `count` faces with seeded random unit vectors. */
  seedFaces(
    store: FaceStore,
    collectionId: string,
    count: number,
    seed: number,
  ): Promise<StoredFace[]>;
}

/**
 * Registers, in the current `describe`, a fresh store from `factory` before each test (closed
 * after it), and returns the context the contract's groups take. For running single groups:
 * `describe('my store', () => describeVectorSearchContract(useFaceStoreContract(factory)))`.
 */
export function useFaceStoreContract(
  factory: () => Promise<FaceStore>,
  options: FaceStoreContractOptions = {},
): FaceStoreContract {
  const dimensions = options.dimensions ?? 128;
  const uuid = () => crypto.randomUUID();
  const makeFace = (vector: Float32Array, overrides: Partial<StoredFace> = {}): StoredFace => ({
    faceId: uuid(),
    imageId: uuid(),
    boundingBox: { width: 0.25, height: 0.375, left: 0.125, top: 0.0625 },
    confidence: 99.5,
    indexFacesModelVersion: '7.0',
    createdAt: 1_700_000_000_000,
    vector,
    ...overrides,
  });
  const contract: FaceStoreContract = {
    store: undefined as unknown as FaceStore,
    options,
    dimensions,
    uuid,
    makeFace,
    newCollection: (store, collectionId = `c-${uuid()}`, createdAt = Date.now()) =>
      store
        .createCollection({ collectionId, faceModelVersion: '7.0', createdAt })
        .then(() => collectionId),
    async expectError(promise, errorName) {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `expected ${errorName}`).toBeDefined();
      expect(RekognitionError.isInstance(error), `not a RekognitionError: ${String(error)}`).toBe(
        true,
      );
      expect((error as RekognitionError).name).toBe(errorName);
    },
    async seedFaces(store, collectionId, count, seed) {
      const faces = randomUnitVectors(count, dimensions, seed).map((v) => makeFace(v));
      await store.putFaces(collectionId, faces);
      return faces;
    },
  };
  beforeEach(async () => {
    contract.store = await factory();
  });
  afterEach(async () => {
    await contract.store.close();
  });
  return contract;
}
