import { RekognitionError } from './rekognition-error.js';

/** You are not authorized to perform the action. */
export class AccessDeniedException extends RekognitionError {
  override readonly name = 'AccessDeniedException' as const;
  readonly $fault = 'client' as const;
}

/** A User with the same Id already exists within the collection, or the update or deletion of the User caused an inconsistent state. */
export class ConflictException extends RekognitionError {
  override readonly name = 'ConflictException' as const;
  readonly $fault = 'client' as const;
}

/** A `ClientRequestToken` was reused with an operation, but at least one of the other input parameters is different from the previous call. */
export class IdempotentParameterMismatchException extends RekognitionError {
  override readonly name = 'IdempotentParameterMismatchException' as const;
  readonly $fault = 'client' as const;
}

/** The input image size exceeds the allowed limit (5 MiB of bytes). */
export class ImageTooLargeException extends RekognitionError {
  override readonly name = 'ImageTooLargeException' as const;
  readonly $fault = 'client' as const;
}

/** Rekognition experienced a service issue. Try your call again. */
export class InternalServerError extends RekognitionError {
  override readonly name = 'InternalServerError' as const;
  readonly $fault = 'server' as const;
}

/** The provided image format is not supported (only JPEG and PNG are). */
export class InvalidImageFormatException extends RekognitionError {
  override readonly name = 'InvalidImageFormatException' as const;
  readonly $fault = 'client' as const;
}

/** Pagination token in the request is not valid. */
export class InvalidPaginationTokenException extends RekognitionError {
  override readonly name = 'InvalidPaginationTokenException' as const;
  readonly $fault = 'client' as const;
}

/** Input parameter violated a constraint. */
export class InvalidParameterException extends RekognitionError {
  override readonly name = 'InvalidParameterException' as const;
  readonly $fault = 'client' as const;
}

/** The S3 object specified in the request cannot be accessed. */
export class InvalidS3ObjectException extends RekognitionError {
  override readonly name = 'InvalidS3ObjectException' as const;
  readonly $fault = 'client' as const;
}

/** A service limit was exceeded (video and stream processor operations). */
export class LimitExceededException extends RekognitionError {
  override readonly name = 'LimitExceededException' as const;
  readonly $fault = 'client' as const;
}

/** The number of requests exceeded your throughput limit. */
export class ProvisionedThroughputExceededException extends RekognitionError {
  override readonly name = 'ProvisionedThroughputExceededException' as const;
  readonly $fault = 'client' as const;
}

/** A resource with the specified ID already exists. */
export class ResourceAlreadyExistsException extends RekognitionError {
  override readonly name = 'ResourceAlreadyExistsException' as const;
  readonly $fault = 'client' as const;
}

/** The specified resource is in use. */
export class ResourceInUseException extends RekognitionError {
  override readonly name = 'ResourceInUseException' as const;
  readonly $fault = 'client' as const;
}

/** The resource specified in the request cannot be found. */
export class ResourceNotFoundException extends RekognitionError {
  override readonly name = 'ResourceNotFoundException' as const;
  readonly $fault = 'client' as const;
}

/** A quota (collection size, faces per user, tags per resource) would be exceeded. */
export class ServiceQuotaExceededException extends RekognitionError {
  override readonly name = 'ServiceQuotaExceededException' as const;
  readonly $fault = 'client' as const;
}

/** Rekognition is temporarily unable to process the request. Try your call again. */
export class ThrottlingException extends RekognitionError {
  override readonly name = 'ThrottlingException' as const;
  readonly $fault = 'server' as const;
}

/** AWS JSON protocol: the `X-Amz-Target` names no operation of this service. Not in the Rekognition model; the SDK surfaces it as a generic RekognitionServiceException. */
export class UnknownOperationException extends RekognitionError {
  override readonly name = 'UnknownOperationException' as const;
  readonly $fault = 'client' as const;
}

/** The stored video is too large (Rekognition: over 10 GB) or too long (over 6 hours). */
export class VideoTooLargeException extends RekognitionError {
  override readonly name = 'VideoTooLargeException' as const;
  readonly $fault = 'client' as const;
}

/** AWS JSON protocol: the request body could not be parsed. Not in the Rekognition model; the SDK surfaces it as a generic RekognitionServiceException. */
export class SerializationException extends RekognitionError {
  override readonly name = 'SerializationException' as const;
  readonly $fault = 'client' as const;
}

/** Every concrete error class by its wire name. */
export const errorClasses = {
  AccessDeniedException,
  ConflictException,
  IdempotentParameterMismatchException,
  ImageTooLargeException,
  InternalServerError,
  InvalidImageFormatException,
  InvalidPaginationTokenException,
  InvalidParameterException,
  InvalidS3ObjectException,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  ResourceAlreadyExistsException,
  ResourceInUseException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  UnknownOperationException,
  VideoTooLargeException,
  SerializationException,
} as const;
