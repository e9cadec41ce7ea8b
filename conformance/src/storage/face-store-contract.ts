import type { FaceStore } from '@facekit/core';
import { describe, expect, it } from 'vitest';
import { describeCollectionsContract } from './contract/collections.js';
import { describeConcurrencyContract } from './contract/concurrency.js';
import {
  type FaceStoreContract,
  type FaceStoreContractGroup,
  type FaceStoreContractOptions,
  useFaceStoreContract,
} from './contract/contract-context.js';
import { describeFacesContract } from './contract/faces.js';
import { describePersistenceContract } from './contract/persistence.js';
import { describeSeparationsContract } from './contract/separations.js';
import { describeTagsContract } from './contract/tags.js';
import { describeUsersContract } from './contract/users.js';
import { describeVectorSearchContract } from './contract/vector-search.js';

export type { FaceStoreContractOptions } from './contract/contract-context.js';

/** Every group of the contract, in the order it runs, with the name it is reported under. */
export const faceStoreContractGroups: Record<
  FaceStoreContractGroup,
  { title: string; describe: (contract: FaceStoreContract) => void }
> = {
  collections: { title: 'collections', describe: describeCollectionsContract },
  tags: { title: 'tags', describe: describeTagsContract },
  faces: { title: 'faces', describe: describeFacesContract },
  vectorSearch: { title: 'vector search', describe: describeVectorSearchContract },
  users: { title: 'users', describe: describeUsersContract },
  separations: { title: 'face separations', describe: describeSeparationsContract },
  concurrency: { title: 'concurrency', describe: describeConcurrencyContract },
  persistence: { title: 'persistence', describe: describePersistenceContract },
};

/**
 * The shared contract every `FaceStore` adapter must pass. Each test gets a fresh store from
 * `factory` and seeds its own data, so tests are independent and may run in any order. A group
 * an adapter cannot run is named in `options.skip` with the reason, and reported as skipped.
 */
export function describeFaceStoreContract(
  name: string,
  factory: () => Promise<FaceStore>,
  options: FaceStoreContractOptions = {},
): void {
  describe(`FaceStore contract: ${name}`, () => {
    const contract = useFaceStoreContract(factory, options);

    it('declares the v1 specification', () => {
      const { store } = contract;
      expect(store.specificationVersion).toBe('v1');
      expect(store.name).toMatch(/\S/);
      expect(['exact', 'approximate']).toContain(store.capabilities.search);
    });

    for (const [key, group] of Object.entries(faceStoreContractGroups)) {
      const reason = options.skip?.[key as FaceStoreContractGroup];
      if (reason === undefined) group.describe(contract);
      else describe(group.title, () => it.skip(`skipped by the adapter: ${reason}`, () => {}));
    }
  });
}
