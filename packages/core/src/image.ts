// `@facekit/core/image`: what every image decoder checks before decoding (format, size, EXIF).

export {
  type CheckedImageHeader,
  checkImageHeader,
  checkPositiveLimit,
  defaultDecodeLimits,
  defaultMaxImageBytes,
  type ImageHeaderCheckerOptions,
  INVALID_IMAGE_FORMAT,
  imageHeaderChecker,
} from './image/check-image-header.js';
export {
  describeUnsupported,
  type ImageHeader,
  ImageHeaderError,
  readExifOrientation,
  readImageHeader,
} from './image/image-header.js';
