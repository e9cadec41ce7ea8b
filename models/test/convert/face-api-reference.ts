/**
 * The original: @vladmandic/face-api run in TF.js on its pure-JavaScript CPU backend, to check
 * our ONNX conversion against. Test-only.
 *
 * Which face-api build runs in Node without native code: `face-api.node.js` needs
 * `@tensorflow/tfjs-node` (its install downloads libtensorflow); `face-api.esm.js` bundles TF.js
 * but crashes on import in Node (its bundled `util` shim has no `TextEncoder`); the
 * `esm-nobundle` build imports TF.js's extensionless ESM, which Node cannot resolve. The CommonJS
 * `face-api.node-wasm.js` only requires `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm`
 * (plain JS and a shipped .wasm), and leaves the backend to choose: we pick `cpu`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Transformer } from '@napi-rs/image';

/** The installed `@vladmandic/face-api` package directory. */
export const faceApiDir = dirname(
  createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json'),
);

/** The few members of face-api and TF.js the tests use. */
// biome-ignore lint/suspicious/noExplicitAny: face-api's CommonJS build is loaded untyped.
type Untyped = any;

export interface FaceApiReference {
  readonly faceapi: Untyped;
  readonly tf: Untyped;
  /**
   * face-api's `FaceRecognitionNet.computeFaceDescriptor` on a face crop (HWC tensor), or on
   * several at once (an array).
   */
  describe(crops: Untyped[]): Promise<Float32Array[]>;
  describe(crop: Untyped): Promise<Float32Array>;
  /**
   * The exact `[1, 150, 150, 3]` pixels (0–255) face-api feeds its network for `crop`: padded to
   * a square (centred) and resized bilinearly, by face-api's own `NetInput.toBatchTensor`.
   */
  netInputPixels(crop: Untyped): Promise<Float32Array>;
  /** Decodes a photo, finds its largest face and returns face-api's aligned crop of it. */
  largestFaceCrop(photo: string): Promise<Untyped>;
}

let loaded: Promise<FaceApiReference> | undefined;

/** Loads face-api once per test file, with its weights read by TF.js's own decoder. */
export function loadFaceApiReference(): Promise<FaceApiReference> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<FaceApiReference> {
  const require = createRequire(import.meta.url);
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const tf = faceapi.tf;
  await tf.setBackend('cpu');
  await tf.ready();

  const loadNet = (net: Untyped, model: string): void => {
    const dir = join(faceApiDir, 'model');
    const [group] = JSON.parse(readFileSync(join(dir, `${model}-weights_manifest.json`), 'utf8'));
    const bytes = Buffer.concat(group.paths.map((p: string) => readFileSync(join(dir, p))));
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    net.loadFromWeightMap(tf.io.decodeWeights(buffer, group.weights));
  };
  loadNet(faceapi.nets.faceRecognitionNet, 'face_recognition_model');
  loadNet(faceapi.nets.tinyFaceDetector, 'tiny_face_detector_model');
  loadNet(faceapi.nets.faceLandmark68Net, 'face_landmark_68_model');

  return {
    faceapi,
    tf,
    describe: (input: Untyped) => faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input),
    async netInputPixels(crop) {
      const netInput = await faceapi.toNetInput(crop);
      const batch = netInput.toBatchTensor(150, true);
      const data = (await batch.data()) as Float32Array;
      batch.dispose();
      return data;
    },
    async largestFaceCrop(photo) {
      const decoder = new Transformer(readFileSync(photo));
      const { width, height } = decoder.metadataSync();
      const raw = decoder.rawPixelsSync();
      const channels = raw.byteLength / (width * height);
      if (channels !== 3) throw new Error(`${photo}: ${channels} channels, expected RGB`);
      const image = tf.tensor3d(new Uint8Array(raw), [height, width, 3], 'int32');
      // The tiny detector (SSD costs ~11 s a photo in pure JS): at 224 for speed, as portraits
      // have big faces, and at 416 when that finds nothing.
      let faces: Untyped[] = [];
      for (const inputSize of [224, 416]) {
        const options = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: 0.5 });
        faces = await faceapi.detectAllFaces(image, options).withFaceLandmarks();
        if (faces.length > 0) break;
      }
      if (faces.length === 0) throw new Error(`${photo}: face-api found no face`);
      const largest = faces.reduce((a: Untyped, b: Untyped) =>
        b.detection.box.area > a.detection.box.area ? b : a,
      );
      const [crop] = await faceapi.extractFaceTensors(image, [largest.alignedRect]);
      image.dispose();
      return crop;
    },
  };
}
