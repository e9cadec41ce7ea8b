export {
  createNapiImageDecoder,
  defaultDecodeLimits,
  defaultMaxImageBytes,
  type NapiImageDecoderOptions,
} from './napi-image-decoder.js';
