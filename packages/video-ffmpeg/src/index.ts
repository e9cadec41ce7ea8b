export {
  createFfmpegVideoDecoder,
  type FfmpegVideoDecoderOptions,
  outputSize,
} from './ffmpeg-video-decoder.js';
export { createFileVideoJobStore, restartedMessage } from './file-video-job-store.js';
export { renderSlideshow, type SlideshowOptions, type SlideshowScene } from './slideshow.js';
