import { ResourceNotFoundException } from './exceptions.js';

/** The message Rekognition uses for a missing collection. */
export function collectionNotFound(collectionId: string): ResourceNotFoundException {
  return new ResourceNotFoundException(`The collection id: ${collectionId} does not exist`);
}

export function userNotFound(collectionId: string, userId: string): ResourceNotFoundException {
  return new ResourceNotFoundException(
    `The user id: ${userId} does not exist in the collection id: ${collectionId}`,
  );
}
