import { describeFaceStoreContract } from '@facekit/conformance/storage';
import type { StoredFace } from '@facekit/core';
import { createPostgresFaceStore, type SqlDriver } from '../src/index.js';
import { freshSchema } from './pglite-fixtures.js';

const open = (driver: () => SqlDriver, search: 'exact' | 'hnsw', schema = freshSchema()) =>
  createPostgresFaceStore({
    driver: driver(),
    schema,
    search,
    // The suite's collections are small: without this they would be searched exactly.
    hnsw: { exactBelow: 0 },
    closeDriver: false,
  });
const schemas = new WeakMap<object, string>();

/** The contract suite's factory (a fresh schema per store on `driver`) and reopen. */
export const reopenable = (driver: () => SqlDriver, search: 'exact' | 'hnsw') => ({
  factory: async () => {
    const schema = freshSchema();
    const store = await open(driver, search, schema);
    schemas.set(store, schema);
    return store;
  },
  reopen: async (store: object & { close(): Promise<void> }) => {
    await store.close();
    return open(driver, search, schemas.get(store));
  },
});

/** The contract suite with exact search and with HNSW, on `driver`, named after `where`. */
export function describeContractOn(where: string, driver: () => SqlDriver): void {
  const exact = reopenable(driver, 'exact');
  describeFaceStoreContract(`postgres (${where})`, exact.factory, { reopen: exact.reopen });
  const hnsw = reopenable(driver, 'hnsw');
  describeFaceStoreContract(`postgres (HNSW, ${where})`, hnsw.factory, {
    search: 'approximate',
    reopen: hnsw.reopen,
  });
}

let n = 0;
/** A face with this vector and ids and a creation time no other face of this process has. */
export const newFace = (vector: Float32Array): StoredFace => {
  n++;
  return {
    faceId: crypto.randomUUID(),
    imageId: `image-${n}`,
    boundingBox: { width: 0.25, height: 0.375, left: 0.125, top: 0.0625 },
    confidence: 99.5,
    indexFacesModelVersion: '7.0',
    createdAt: 1_700_000_000_000 + n,
    vector,
  };
};

/** The error a promise rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
