export { RekognitionError } from './errors/rekognition-error.js';
export type { RekognitionErrorName, RekognitionErrorOptions } from './errors/rekognition-error.js';
export * from './errors/exceptions.js';
