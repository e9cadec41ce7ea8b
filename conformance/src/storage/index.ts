export { describeFaceStoreContract, type FaceStoreContractOptions } from './face-store-contract.js';
export { nearbyUnitVector, randomUnitVectors, seededRandom } from './seeded-vectors.js';
