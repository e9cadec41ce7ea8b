export { describeCollectionsContract } from './contract/collections.js';
export { describeConcurrencyContract } from './contract/concurrency.js';
export {
  type FaceStoreContract,
  type FaceStoreContractGroup,
  type FaceStoreContractOptions,
  useFaceStoreContract,
} from './contract/contract-context.js';
export { describeFacesContract } from './contract/faces.js';
export { describePersistenceContract } from './contract/persistence.js';
export { describeTagsContract } from './contract/tags.js';
export { describeUsersContract } from './contract/users.js';
export { describeVectorSearchContract } from './contract/vector-search.js';
export { describeFaceStoreContract, faceStoreContractGroups } from './face-store-contract.js';
export {
  describePersistedIndexContract,
  type PersistedIndexContractOptions,
  randomStoredFaces,
  selfHitRate,
} from './persisted-index.js';
export { nearbyUnitVector, randomUnitVectors, seededRandom } from './seeded-vectors.js';
