import type { AnalyzedFace, FaceAnalyzer } from '../analysis/face-analyzer.js';
import { InvalidParameterException } from '../errors/exceptions.js';
import { RekognitionError } from '../errors/rekognition-error.js';
import type {
  BoxRatios,
  CollectionStats,
  FaceFilter,
  FaceMetadata,
  FaceStore,
  StoredFace,
} from '../storage/face-store.js';
import type { SourceImageStore } from '../storage/source-image-store.js';
import { matchByIou } from './box-matching.js';
import { type KeyedMutex, lockedRunner } from './keyed-mutex.js';

export interface ReindexCollectionOptions {
  store: FaceStore;
  /** Kept source images; undefined when retention was never on (every face is then `notKept`). */
  sourceImages: SourceImageStore | undefined;
  /** The new face model: detection and embedding are run again with it. */
  analyzer: FaceAnalyzer;
  sourceCollectionId: string;
  /**
   * Where the re-indexed faces go: created with the analyzer's `FaceModelVersion` and the source's
   * tags, or, when it exists already with that version, continued (resuming a stopped run).
   */
  targetCollectionId: string;
  /** An old face and a new detection are the same face at this bounding-box IoU or above; 0.5. */
  minIou?: number;
  /** Images analysed at once; 1. */
  concurrency?: number;
  /** Rekognition's limit of faces per user, for re-associating; 100. */
  maxFacesPerUser?: number;
  /** Stops between images (the faces written so far stay; a rerun continues); an `AbortSignal`. */
  signal?: { readonly aborted: boolean };
  /** Called once, when the work is known. */
  onPlan?(plan: ReindexPlan): void;
  /** Called after each image. */
  onImage?(result: ReindexImageResult): void;
  /** Epoch milliseconds of the target's creation; injectable for tests. */
  now?: () => number;
  /**
   * The per-collection locks of a `FaceService` on the same store (`service.collectionLocks`):
   * each write to the target then waits for the service's writes to it, and they for it.
   */
  collectionLocks?: KeyedMutex;
}

export interface ReindexPlan {
  /** Images with at least one face still to re-index. */
  images: number;
  /** Faces in the source collection, and those already in the target (skipped). */
  sourceFaces: number;
  alreadyPresent: number;
  targetCreated: boolean;
}

export interface ReindexImageResult {
  imageId: string;
  externalImageId?: string;
  /** Faces written to the target. */
  reindexed: number;
  /** Faces of this image that could not be re-indexed, with why. */
  missed: ReindexMiss[];
}

export interface ReindexMiss {
  face: FaceMetadata;
  /**
   * `IMAGE_NOT_KEPT`: the source image was not stored (retention off when it was indexed);
   * `FACE_NOT_FOUND`: the new model's detection has no face at that place (IoU under `minIou`);
   * `IMAGE_FAILED`: the stored image could not be analysed (`error` says why).
   */
  reason: 'IMAGE_NOT_KEPT' | 'FACE_NOT_FOUND' | 'IMAGE_FAILED';
  error?: string;
}

export interface ReindexReport extends ReindexPlan {
  sourceCollectionId: string;
  targetCollectionId: string;
  faceModelVersion: string;
  /** Faces written by this run. */
  reindexed: number;
  missed: ReindexMiss[];
  /** Users of the source recreated in the target, and faces associated to them by this run. */
  usersCreated: number;
  facesAssociated: number;
  /** False when `signal` stopped the run before the end (users are recreated last). */
  complete: boolean;
}

/**
 * Re-indexes a collection with another face model from the kept source images: each image is
 * analysed again, each old face is matched to the new detection with the highest bounding-box IoU
 * (one-to-one, at least `minIou`), and written to the target with its `FaceId`, `ImageId`,
 * `ExternalImageId` and creation time, the new model's box, confidence and vector. Users are then
 * recreated and their faces associated again. The source collection is not changed.
 *
 * Resumable: faces already in the target are skipped, and each image's faces are written at once,
 * so a run stopped anywhere continues where it stopped.
 * @throws {InvalidParameterException} for a target equal to the source, or one that holds
 *   another face model's vectors.
 * @throws {ResourceNotFoundException} when the source collection does not exist.
 */
export async function reindexCollection(options: ReindexCollectionOptions): Promise<ReindexReport> {
  const { store, sourceImages, analyzer, sourceCollectionId, targetCollectionId } = options;
  const minIou = options.minIou ?? 0.5;
  const locked = lockedRunner(options.collectionLocks, targetCollectionId);
  const version = analyzer.faceModelVersion;
  if (sourceCollectionId === targetCollectionId) {
    throw new InvalidParameterException(
      'The target collection must differ from the source: re-indexing writes a new collection and leaves the source as it is.',
    );
  }
  const source = await store.describeCollection(sourceCollectionId);
  if (source.faceModelVersion === version) {
    throw new InvalidParameterException(
      `Collection ${sourceCollectionId} already uses face model ${version}.`,
    );
  }
  const existing = await locked(async () => {
    const existing = await describeIfExists(store, targetCollectionId);
    if (existing && existing.faceModelVersion !== version) {
      throw new InvalidParameterException(
        `Collection ${targetCollectionId} exists with face model ${existing.faceModelVersion}, not ${version}: choose another target collection.`,
      );
    }
    if (!existing) {
      await store.createCollection(
        {
          collectionId: targetCollectionId,
          faceModelVersion: version,
          createdAt: (options.now ?? Date.now)(),
        },
        await store.getTags(sourceCollectionId),
      );
    }
    return existing;
  });

  const done = new Set((await listAllFaces(store, targetCollectionId)).map((f) => f.faceId));
  const sourceFaces = await listAllFaces(store, sourceCollectionId);
  // Every face of an image takes part in the matching (so a face written by an earlier run still
  // claims its detection), but only those not in the target yet are written.
  const byImage = new Map<string, FaceMetadata[]>();
  for (const face of sourceFaces) {
    byImage.set(face.imageId, [...(byImage.get(face.imageId) ?? []), face]);
  }
  for (const [imageId, faces] of byImage) {
    if (faces.every((f) => done.has(f.faceId))) byImage.delete(imageId);
  }
  const plan: ReindexPlan = {
    images: byImage.size,
    sourceFaces: sourceFaces.length,
    alreadyPresent: sourceFaces.filter((f) => done.has(f.faceId)).length,
    targetCreated: !existing,
  };
  options.onPlan?.(plan);

  const report: ReindexReport = {
    ...plan,
    sourceCollectionId,
    targetCollectionId,
    faceModelVersion: version,
    reindexed: 0,
    missed: [],
    usersCreated: 0,
    facesAssociated: 0,
    complete: false,
  };
  // A few images in flight (each write is still one image's faces at once, so resuming holds).
  const queue = [...byImage];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (options.signal?.aborted) return;
      const result = await reindexImage(next[0], next[1]);
      report.reindexed += result.reindexed;
      report.missed.push(...result.missed);
      options.onImage?.(result);
    }
  };
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  if (options.signal?.aborted) return report;
  await recreateUsers(options, report);
  report.complete = true;
  return report;

  async function reindexImage(imageId: string, faces: FaceMetadata[]): Promise<ReindexImageResult> {
    const pending = (face: FaceMetadata) => !done.has(face.faceId);
    const base = {
      imageId,
      ...(faces[0].externalImageId === undefined
        ? {}
        : { externalImageId: faces[0].externalImageId }),
    };
    const bytes = await sourceImages?.get(imageId);
    if (!bytes) {
      return {
        ...base,
        reindexed: 0,
        missed: faces.filter(pending).map((face) => miss(face, 'IMAGE_NOT_KEPT')),
      };
    }
    let detected: AnalyzedFace[];
    try {
      detected = (await analyzer.analyze(bytes, { attributes: ['DEFAULT'], embedLargest: 100 }))
        .faces;
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return {
        ...base,
        reindexed: 0,
        missed: faces
          .filter(pending)
          .map((face) => ({ ...miss(face, 'IMAGE_FAILED'), error: message })),
      };
    }
    const matches = matchByIou(
      faces.map((f) => f.boundingBox),
      detected.map((d) => boxOf(d)),
      minIou,
    );
    const stored: StoredFace[] = [];
    const missed: ReindexMiss[] = [];
    faces.forEach((face, i) => {
      if (!pending(face)) return;
      const match = matches[i];
      const found = match === undefined ? undefined : detected[match];
      if (!found?.embedding) {
        missed.push(miss(face, 'FACE_NOT_FOUND'));
        return;
      }
      stored.push({
        faceId: face.faceId,
        imageId: face.imageId,
        ...(face.externalImageId === undefined ? {} : { externalImageId: face.externalImageId }),
        boundingBox: boxOf(found),
        confidence: found.detail.Confidence ?? 0,
        indexFacesModelVersion: version,
        createdAt: face.createdAt,
        vector: found.embedding,
      });
    });
    if (stored.length > 0) await locked(() => store.putFaces(targetCollectionId, stored));
    return { ...base, reindexed: stored.length, missed };
  }
}

/** Recreates the source's users in the target and associates their re-indexed faces. */
async function recreateUsers(
  options: ReindexCollectionOptions,
  report: ReindexReport,
): Promise<void> {
  const { store, sourceCollectionId, targetCollectionId } = options;
  const locked = lockedRunner(options.collectionLocks, targetCollectionId);
  let after: string | undefined;
  do {
    const page = await store.listUsers(sourceCollectionId, { limit: 500, after });
    for (const user of page.items) {
      const owned = await listAllFaces(store, sourceCollectionId, { userId: user.userId });
      await locked(async () => {
        if (!(await store.getUser(targetCollectionId, user.userId))) {
          await store.createUser(targetCollectionId, {
            userId: user.userId,
            createdAt: user.createdAt,
          });
          report.usersCreated++;
        }
        const present = await store.getFaces(
          targetCollectionId,
          owned.map((f) => f.faceId),
        );
        const toAssociate = present.filter((f) => f.userId !== user.userId).map((f) => f.faceId);
        if (toAssociate.length > 0) {
          const result = await store.associateFaces(
            targetCollectionId,
            user.userId,
            toAssociate,
            options.maxFacesPerUser ?? 100,
          );
          report.facesAssociated += result.changed.length;
        }
      });
    }
    after = page.next;
  } while (after !== undefined);
}

function boxOf(face: AnalyzedFace): BoxRatios {
  const { Width = 0, Height = 0, Left = 0, Top = 0 } = face.detail.BoundingBox ?? {};
  return { width: Width, height: Height, left: Left, top: Top };
}

function miss(face: FaceMetadata, reason: ReindexMiss['reason']): ReindexMiss {
  return { face, reason };
}

async function describeIfExists(
  store: FaceStore,
  collectionId: string,
): Promise<CollectionStats | undefined> {
  try {
    return await store.describeCollection(collectionId);
  } catch (error) {
    if (RekognitionError.isInstance(error) && error.name === 'ResourceNotFoundException') {
      return undefined;
    }
    throw error;
  }
}

async function listAllFaces(
  store: FaceStore,
  collectionId: string,
  filter?: FaceFilter,
): Promise<FaceMetadata[]> {
  const faces: FaceMetadata[] = [];
  let after: string | undefined;
  do {
    const page = await store.listFaces(collectionId, { limit: 1000, after }, filter);
    faces.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return faces;
}
