export {
  checkBucketName,
  createFolderImageSource,
  type FolderImageSourceOptions,
} from './folder-image-source.js';
export {
  createS3ImageSource,
  type S3ImageSource,
  type S3ImageSourceOptions,
} from './s3-image-source.js';
