import {
  ConflictException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
} from './exceptions.js';

/** The message Rekognition uses for a missing collection. */
export function collectionNotFound(collectionId: string): ResourceNotFoundException {
  return new ResourceNotFoundException(`The collection id: ${collectionId} does not exist`);
}

export function userNotFound(collectionId: string, userId: string): ResourceNotFoundException {
  return new ResourceNotFoundException(
    `The user id: ${userId} does not exist in the collection id: ${collectionId}`,
  );
}

/** Store errors every `FaceStore` raises with the same message. */

export function collectionAlreadyExists(collectionId: string): ResourceAlreadyExistsException {
  return new ResourceAlreadyExistsException(`The collection id: ${collectionId} already exists.`);
}

export function faceAlreadyExists(faceId: string, collectionId: string): ConflictException {
  return new ConflictException(`Face ${faceId} already exists in ${collectionId}.`);
}

export function userAlreadyExists(collectionId: string, userId: string): ConflictException {
  return new ConflictException(`User ${userId} already exists in collection ${collectionId}.`);
}

/** Tags beyond a resource's limit (`count`: the tags it would have). */
export function tooManyTags(count: number, maxTags: number): ServiceQuotaExceededException {
  return new ServiceQuotaExceededException(
    `Resource would have ${count} tags; the limit is ${maxTags}.`,
  );
}

/** Faces beyond a user's limit: it has `faceCount`, and `adding` more were asked for. */
export function userFaceLimitExceeded(
  userId: string,
  faceCount: number,
  adding: number,
  maxFacesPerUser: number,
): ServiceQuotaExceededException {
  return new ServiceQuotaExceededException(
    `User ${userId} has ${faceCount} faces; associating ${adding} more would exceed the limit of ${maxFacesPerUser}.`,
  );
}
