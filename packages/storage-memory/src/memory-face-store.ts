import {
  type CollectionRecord,
  type CollectionStats,
  collectionAlreadyExists,
  collectionNotFound,
  type DeleteFacesResult,
  type FaceFilter,
  type FaceMetadata,
  type FaceOwnershipResult,
  type FaceSeparation,
  type FaceStore,
  faceAlreadyExists,
  InvalidPaginationTokenException,
  type Page,
  type PageRequest,
  type ScoredUser,
  type StoredFace,
  tooManyTags,
  type UserRecord,
  type UserSearchOptions,
  userAlreadyExists,
  userFaceLimitExceeded,
  userNotFound,
  type VectorSearchOptions,
} from '@facekit/core';
import { centroid, dot } from '@facekit/core/vector';

interface Sequenced {
  seq: number;
}
interface FaceEntry extends Sequenced {
  face: StoredFace;
}
interface UserEntry extends Sequenced {
  userId: string;
  createdAt: number;
  faceIds: Set<string>;
}
/** A decision with the `seq` of each face or user it names: it lapses when one of them goes. */
interface SeparationEntry {
  separation: FaceSeparation;
  seqs: readonly number[];
}
interface CollectionState extends Sequenced {
  record: CollectionRecord;
  tags: Map<string, string>;
  faces: Map<string, FaceEntry>;
  users: Map<string, UserEntry>;
  /** By `face:<a>:<b>` (a < b) or `user:<face>:<user>`. */
  separations: Map<string, SeparationEntry>;
}

/**
 * A `FaceStore` in process memory: exact search, nothing persisted. Every method runs
 * synchronously inside its promise, so each is atomic with respect to the others.
 */
export function createMemoryFaceStore(): FaceStore {
  const collections = new Map<string, CollectionState>();
  let nextSeq = 1;

  const collection = (collectionId: string): CollectionState => {
    const state = collections.get(collectionId);
    if (!state) throw collectionNotFound(collectionId);
    return state;
  };
  const user = (state: CollectionState, userId: string): UserEntry => {
    const entry = state.users.get(userId);
    if (!entry) throw userNotFound(state.record.collectionId, userId);
    return entry;
  };
  const userRecord = (entry: UserEntry): UserRecord => ({
    userId: entry.userId,
    createdAt: entry.createdAt,
    faceCount: entry.faceIds.size,
  });

  return {
    specificationVersion: 'v1',
    name: 'memory',
    capabilities: { persistent: false, search: 'exact' },

    async createCollection(record, tags = {}) {
      if (collections.has(record.collectionId)) {
        throw collectionAlreadyExists(record.collectionId);
      }
      collections.set(record.collectionId, {
        seq: nextSeq++,
        record: { ...record },
        tags: new Map(Object.entries(tags)),
        faces: new Map(),
        users: new Map(),
        separations: new Map(),
      });
    },

    async deleteCollection(collectionId) {
      collection(collectionId);
      collections.delete(collectionId);
    },

    async describeCollection(collectionId): Promise<CollectionStats> {
      const state = collection(collectionId);
      return { ...state.record, faceCount: state.faces.size, userCount: state.users.size };
    },

    async listCollections(page) {
      return paginate([...collections.values()], page, (state) => ({ ...state.record }));
    },

    async getTags(collectionId) {
      return Object.fromEntries(collection(collectionId).tags);
    },

    async tagCollection(collectionId, tags, maxTags) {
      const state = collection(collectionId);
      const merged = new Map([...state.tags, ...Object.entries(tags)]);
      if (merged.size > maxTags) {
        throw tooManyTags(merged.size, maxTags);
      }
      state.tags = merged;
    },

    async untagCollection(collectionId, keys) {
      const state = collection(collectionId);
      for (const key of keys) state.tags.delete(key);
    },

    async putFaces(collectionId, faces) {
      const state = collection(collectionId);
      const batch = new Set<string>();
      for (const face of faces) {
        if (state.faces.has(face.faceId) || batch.has(face.faceId)) {
          throw faceAlreadyExists(face.faceId, collectionId);
        }
        batch.add(face.faceId);
      }
      for (const face of faces) {
        state.faces.set(face.faceId, {
          seq: nextSeq++,
          face: { ...copyFace(face), userId: undefined },
        });
      }
    },

    async getFaces(collectionId, faceIds) {
      const state = collection(collectionId);
      return faceIds.flatMap((id) => {
        const entry = state.faces.get(id);
        return entry ? [copyFace(entry.face)] : [];
      });
    },

    async findFacesByImage(collectionId, imageId) {
      return [...collection(collectionId).faces.values()]
        .filter((e) => e.face.imageId === imageId)
        .sort((a, b) => a.seq - b.seq)
        .map((e) => metadata(e.face));
    },

    async listFaces(collectionId, page, filter: FaceFilter = {}) {
      const state = collection(collectionId);
      let entries = [...state.faces.values()];
      if (filter.userId !== undefined)
        entries = entries.filter((e) => e.face.userId === filter.userId);
      if (filter.faceIds) {
        const wanted = new Set(filter.faceIds);
        entries = entries.filter((e) => wanted.has(e.face.faceId));
      }
      return paginate(entries, page, (e) => metadata(e.face));
    },

    async deleteFaces(collectionId, faceIds) {
      const state = collection(collectionId);
      const result: DeleteFacesResult = { deleted: [], unsuccessful: [] };
      for (const faceId of new Set(faceIds)) {
        const entry = state.faces.get(faceId);
        if (!entry) {
          result.unsuccessful.push({ faceId, reason: 'FACE_NOT_FOUND' });
        } else if (entry.face.userId !== undefined) {
          result.unsuccessful.push({
            faceId,
            userId: entry.face.userId,
            reason: 'ASSOCIATED_TO_AN_EXISTING_USER',
          });
        } else {
          state.faces.delete(faceId);
          result.deleted.push(faceId);
        }
      }
      return result;
    },

    async searchFaces(collectionId, vector, options: VectorSearchOptions) {
      const state = collection(collectionId);
      const excluded = new Set(options.excludeFaceIds ?? []);
      const scored: { face: StoredFace; score: number; seq: number }[] = [];
      for (const entry of state.faces.values()) {
        if (excluded.has(entry.face.faceId)) continue;
        const score = dot(vector, entry.face.vector);
        if (options.minScore !== undefined && score < options.minScore) continue;
        scored.push({ face: entry.face, score, seq: entry.seq });
      }
      return topK(scored, options.limit).map(({ face, score }) => ({
        face: metadata(face),
        score,
      }));
    },

    async createUser(collectionId, { userId, createdAt }) {
      const state = collection(collectionId);
      if (state.users.has(userId)) {
        throw userAlreadyExists(collectionId, userId);
      }
      const entry: UserEntry = { seq: nextSeq++, userId, createdAt, faceIds: new Set() };
      state.users.set(userId, entry);
      return userRecord(entry);
    },

    async deleteUser(collectionId, userId) {
      const state = collection(collectionId);
      const entry = user(state, userId);
      for (const faceId of entry.faceIds) {
        const face = state.faces.get(faceId);
        if (face) face.face.userId = undefined;
      }
      state.users.delete(userId);
    },

    async getUser(collectionId, userId) {
      const entry = collection(collectionId).users.get(userId);
      return entry ? userRecord(entry) : undefined;
    },

    async listUsers(collectionId, page) {
      return paginate([...collection(collectionId).users.values()], page, userRecord);
    },

    async associateFaces(collectionId, userId, faceIds, maxFacesPerUser) {
      const state = collection(collectionId);
      const entry = user(state, userId);
      const result: FaceOwnershipResult = {
        changed: [],
        unsuccessful: [],
        user: userRecord(entry),
      };
      const toAssociate: FaceEntry[] = [];
      for (const faceId of new Set(faceIds)) {
        const face = state.faces.get(faceId);
        if (!face) result.unsuccessful.push({ faceId, reason: 'FACE_NOT_FOUND' });
        else if (face.face.userId === userId) continue;
        else if (face.face.userId !== undefined) {
          result.unsuccessful.push({
            faceId,
            userId: face.face.userId,
            reason: 'ASSOCIATED_TO_A_DIFFERENT_USER',
          });
        } else toAssociate.push(face);
      }
      if (entry.faceIds.size + toAssociate.length > maxFacesPerUser) {
        throw userFaceLimitExceeded(
          userId,
          entry.faceIds.size,
          toAssociate.length,
          maxFacesPerUser,
        );
      }
      for (const face of toAssociate) {
        face.face.userId = userId;
        entry.faceIds.add(face.face.faceId);
        result.changed.push(face.face.faceId);
      }
      result.user = userRecord(entry);
      return result;
    },

    async disassociateFaces(collectionId, userId, faceIds) {
      const state = collection(collectionId);
      const entry = user(state, userId);
      const result: FaceOwnershipResult = {
        changed: [],
        unsuccessful: [],
        user: userRecord(entry),
      };
      for (const faceId of new Set(faceIds)) {
        const face = state.faces.get(faceId);
        if (!face) result.unsuccessful.push({ faceId, reason: 'FACE_NOT_FOUND' });
        else if (face.face.userId === undefined) continue;
        else if (face.face.userId !== userId) {
          result.unsuccessful.push({
            faceId,
            userId: face.face.userId,
            reason: 'ASSOCIATED_TO_A_DIFFERENT_USER',
          });
        } else {
          face.face.userId = undefined;
          entry.faceIds.delete(faceId);
          result.changed.push(faceId);
        }
      }
      result.user = userRecord(entry);
      return result;
    },

    async getUserVector(collectionId, userId) {
      const state = collection(collectionId);
      const entry = state.users.get(userId);
      return entry ? userVector(state, entry) : undefined;
    },

    async searchUsers(collectionId, vector, options: UserSearchOptions) {
      const state = collection(collectionId);
      const excluded = new Set(options.excludeUserIds ?? []);
      const scored: (ScoredUser & Sequenced)[] = [];
      for (const entry of state.users.values()) {
        if (excluded.has(entry.userId)) continue;
        const userVec = userVector(state, entry);
        if (!userVec) continue;
        const score = dot(vector, userVec);
        if (options.minScore !== undefined && score < options.minScore) continue;
        scored.push({ user: userRecord(entry), score, seq: entry.seq });
      }
      return topK(scored, options.limit).map(({ user, score }) => ({ user, score }));
    },

    async putFaceSeparations(collectionId, separations) {
      const state = collection(collectionId);
      for (const s of separations) {
        const face = state.faces.get(s.faceId);
        if (!face) continue;
        if (s.otherFaceId !== undefined) {
          const other = state.faces.get(s.otherFaceId);
          if (!other || s.otherFaceId === s.faceId) continue;
          const [low, high] = s.faceId < s.otherFaceId ? [face, other] : [other, face];
          const key = `face:${low.face.faceId}:${high.face.faceId}`;
          if (live(state, state.separations.get(key))) continue;
          state.separations.set(key, {
            separation: { faceId: low.face.faceId, otherFaceId: high.face.faceId },
            seqs: [low.seq, high.seq],
          });
        } else {
          const owner = state.users.get(s.userId);
          if (!owner) continue;
          const key = `user:${s.faceId}:${s.userId}`;
          if (live(state, state.separations.get(key))) continue;
          state.separations.set(key, {
            separation: { faceId: s.faceId, userId: s.userId },
            seqs: [face.seq, owner.seq],
          });
        }
      }
    },

    async listFaceSeparations(collectionId) {
      const state = collection(collectionId);
      const out: FaceSeparation[] = [];
      for (const [key, entry] of state.separations) {
        if (live(state, entry)) out.push({ ...entry.separation });
        else state.separations.delete(key);
      }
      return out;
    },

    async deleteFaceSeparations(collectionId, separations) {
      const state = collection(collectionId);
      const removed: FaceSeparation[] = [];
      for (const s of separations) {
        const key =
          s.otherFaceId !== undefined
            ? `face:${s.faceId < s.otherFaceId ? `${s.faceId}:${s.otherFaceId}` : `${s.otherFaceId}:${s.faceId}`}`
            : `user:${s.faceId}:${s.userId}`;
        const entry = state.separations.get(key);
        if (!entry) continue;
        state.separations.delete(key);
        if (live(state, entry)) removed.push({ ...entry.separation });
      }
      return removed;
    },

    async close() {
      collections.clear();
    },
  };
}

function userVector(state: CollectionState, entry: UserEntry): Float32Array | undefined {
  const vectors: Float32Array[] = [];
  for (const faceId of entry.faceIds) {
    const face = state.faces.get(faceId);
    if (face) vectors.push(face.face.vector);
  }
  return centroid(vectors);
}

/** Keyset pagination over entries in sequence order; the cursor is the last sequence number. */
function paginate<E extends Sequenced, T>(
  entries: E[],
  page: PageRequest,
  map: (entry: E) => T,
): Page<T> {
  if (page.after !== undefined && !/^\d{1,15}$/.test(page.after)) {
    throw new InvalidPaginationTokenException('Invalid Pagination Token');
  }
  const after = page.after === undefined ? 0 : Number(page.after);
  const rest = entries.filter((e) => e.seq > after).sort((a, b) => a.seq - b.seq);
  const items = rest.slice(0, page.limit);
  const next = rest.length > page.limit ? String(items[items.length - 1].seq) : undefined;
  return { items: items.map(map), next };
}

function topK<T extends { score: number; seq: number }>(items: T[], k: number): T[] {
  return items.sort((a, b) => b.score - a.score || a.seq - b.seq).slice(0, k);
}

function metadata(face: StoredFace): FaceMetadata {
  const { vector: _vector, ...rest } = face;
  return { ...rest, boundingBox: { ...face.boundingBox } };
}

function copyFace(face: StoredFace): StoredFace {
  return { ...metadata(face), vector: new Float32Array(face.vector) };
}

/** Whether a decision still names the very faces and user it was made about. */
function live(state: CollectionState, entry: SeparationEntry | undefined): boolean {
  if (!entry) return false;
  const { separation: s, seqs } = entry;
  if (state.faces.get(s.faceId)?.seq !== seqs[0]) return false;
  return s.otherFaceId !== undefined
    ? state.faces.get(s.otherFaceId)?.seq === seqs[1]
    : state.users.get(s.userId)?.seq === seqs[1];
}
