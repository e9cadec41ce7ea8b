import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelRecipe } from '../model-recipe.js';
import { type PinnedPackage, packageSpec } from '../sources/pinned-package.js';
import { createOnnxGraph, type OnnxGraph } from './onnx-writer.js';
import {
  loadTfjsWeights,
  type ReadFile,
  readTfjsWeights,
  type TfjsWeight,
} from './tfjs-weights.js';

/**
 * The npm package the weights come from, pinned: the ONNX bytes (and so their sha256) depend on
 * it. It has no dependencies, so installing it costs nothing beyond its own tarball.
 */
export const faceApiPackage: PinnedPackage = {
  name: '@vladmandic/face-api',
  version: '1.7.15',
  integrity:
    'sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==',
};
const WEIGHTS_MANIFEST = 'model/face_recognition_model-weights_manifest.json';

/** Side of the square face crop the network takes, in pixels. */
const INPUT_SIZE = 150;
const INPUT_NAME = 'input';
const OUTPUT_NAME = 'embedding';
const EMBEDDING_SIZE = 128;
/**
 * face-api's `FaceRecognitionNet.forwardInput`: `normalize(x, [122.782, 117.001, 104.298])
 * .div(255)` on RGB pixels in 0–255 (255, not 256: checked in 1.7.15's source).
 */
const MEAN_RGB = [122.782, 117.001, 104.298];
const STD_RGB = [255, 255, 255];

/**
 * dlib's face recognition ResNet (`dlib_face_recognition_resnet_model_v1`) as face-api defines
 * it in TF.js, converted to ONNX by {@link buildDlibResnetOnnx}. Input `input`: aligned faces,
 * NCHW float32 `[N, 3, 150, 150]`, RGB, `(pixel − mean[c]) / 255`. Output `embedding`:
 * `[N, 128]`, not L2-normalised; compare with Euclidean distance (dlib's same-person threshold
 * is 0.6).
 *
 * The crop must be dlib's own (`get_face_chip_details`: 150 px, padding 0.25, aligned on the
 * eye corners and the nose); an ArcFace-style crop ruins the model.
 */
export const dlibResnetRecipe: ModelRecipe = {
  id: 'dlib-resnet-128',
  version: faceApiPackage.version,
  task: 'embedding',
  source: { package: faceApiPackage, file: WEIGHTS_MANIFEST, method: 'converted' },
  // The package (weights included) is MIT; the weights themselves are public domain upstream.
  license: 'MIT',
  origin: "dlib's ResNet (Davis King, public domain), converted from face-api's TF.js weights",
  provenance:
    "dlib's face recognition ResNet (dlib_face_recognition_resnet_model_v1): a ResNet-34 " +
    'variant with 29 conv layers, trained from scratch by Davis King on about 3 million faces ' +
    'of 7,485 identities (FaceScrub, VGG-Face and images scraped from the web, kept apart from ' +
    'LFW) with a metric loss; 99.38% on LFW, per dlib and face-api. Davis King writes in the ' +
    'dlib-models README that "anyone can do whatever they want with these model files as I\'ve ' +
    'released them into the public domain"; @vladmandic/face-api (MIT) ships them quantised to ' +
    'uint8 as TF.js weights (model/face_recognition_model-weights_manifest.json and ' +
    'face_recognition_model.bin). facekit dequantises them and writes the network, as defined ' +
    "in face-api's FaceRecognitionNet, to ONNX with its own converter; the result matches " +
    "face-api run in TF.js to float32 rounding (about 3e-7). The quantisation is face-api's, " +
    "and its cost against the original dlib model is not measured here. Input: dlib's own " +
    '150 px face chip (padding 0.25, aligned on eye corners and nose), RGB; the batch size is ' +
    'free.',
  input: { layout: 'NCHW', channels: 'RGB', mean: MEAN_RGB, std: STD_RGB },
  outputs: {
    [OUTPUT_NAME]:
      '128-d face descriptor, not L2-normalised; compare by Euclidean distance (below 0.6: same person, per dlib)',
  },
  produce: ({ packages }) => convertDlibResnetFrom((path) => packages.read(faceApiPackage, path)),
};

/**
 * Converts the dlib ResNet of `@vladmandic/face-api@1.7.15`, reading the package's files through
 * `read` (paths relative to the package root). Deterministic: same weights, same bytes.
 */
export async function convertDlibResnetFrom(read: ReadFile): Promise<Uint8Array> {
  return buildDlibResnetOnnx(await loadTfjsWeights(WEIGHTS_MANIFEST, read));
}

/**
 * Converts the dlib ResNet shipped in an installed `@vladmandic/face-api@1.7.15` to ONNX bytes
 * (deterministic: the same package gives the same bytes).
 * @param fromPackageDir The package's directory (holding `package.json` and `model/`).
 * @throws {Error} when the package is another version or its weights are not the expected ones.
 */
export function convertDlibResnet(fromPackageDir: string): Uint8Array {
  const pkg = JSON.parse(readFileSync(join(fromPackageDir, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
  };
  if (pkg.name !== faceApiPackage.name || pkg.version !== faceApiPackage.version) {
    throw new Error(
      `dlib ResNet conversion needs ${packageSpec(faceApiPackage)}, found ${pkg.name}@${pkg.version} in ${fromPackageDir}`,
    );
  }
  return buildDlibResnetOnnx(readTfjsWeights(join(fromPackageDir, WEIGHTS_MANIFEST)));
}

/** A value in the graph being built: its name, channels and (square) spatial size. */
interface Feature {
  name: string;
  channels: number;
  size: number;
}

/**
 * Writes face-api's `FaceRecognitionNet` (1.7.15, `src/faceRecognitionNet/`) as an ONNX graph,
 * op for op, in NCHW:
 *
 * - conv layer = Conv (+bias) → Mul/Add per channel (`scale`) → Relu (left out in the second
 *   conv of a residual block); `same` padding, or `valid` with stride 2 in down-sampling layers;
 * - `residual`: conv, conv, add the input, Relu;
 * - `residualDown`: stride-2 conv, conv; the input average-pooled 2×2 (zero channels appended
 *   when the channel count doubles; the conv branch zero-padded by one row and column at the
 *   bottom/right when it came out one smaller) is added, then Relu;
 * - stem 7×7/2 conv layer and 3×3/2 max pool; global mean over H, W; MatMul with `fc`.
 *
 * Every weight in the map must be used exactly once.
 * @throws {Error} when a weight is missing, left over or has an unexpected shape.
 */
export function buildDlibResnetOnnx(weights: ReadonlyMap<string, TfjsWeight>): Uint8Array {
  const graph = createOnnxGraph({
    name: 'dlib_face_recognition_resnet_v1',
    producerName: 'facekit',
    docString:
      "dlib's face recognition ResNet, converted by @facekit/models from the TF.js weights in " +
      `${packageSpec(faceApiPackage)} (${WEIGHTS_MANIFEST}).`,
    metadata: {
      id: dlibResnetRecipe.id,
      source: `${packageSpec(faceApiPackage)}/${WEIGHTS_MANIFEST}`,
      layout: 'NCHW',
      channels: 'RGB',
      input_size: `${INPUT_SIZE}x${INPUT_SIZE}`,
      mean: MEAN_RGB.join(','),
      std: STD_RGB.join(','),
      normalisation: '(pixel - mean[c]) / std[c], pixels 0-255',
      crop: 'dlib get_face_chip_details: 150 px, padding 0.25, aligned on eye corners and nose',
      distance: 'euclidean; same person below 0.6',
      license: 'weights public domain (Davis King, dlib-models); face-api package MIT',
    },
  });
  const used = new Set<string>();
  const take = (name: string, shape: readonly number[]): Float32Array => {
    const weight = weights.get(name);
    if (weight === undefined) throw new Error(`dlib ResNet: weight ${name} is missing`);
    if (weight.shape.join() !== shape.join()) {
      throw new Error(`dlib ResNet: ${name} has shape [${weight.shape}], expected [${shape}]`);
    }
    if (used.has(name)) throw new Error(`dlib ResNet: weight ${name} used twice`);
    used.add(name);
    return weight.data;
  };

  graph.addInput(INPUT_NAME, ['N', 3, INPUT_SIZE, INPUT_SIZE]);
  let x: Feature = { name: INPUT_NAME, channels: 3, size: INPUT_SIZE };

  x = convLayer(graph, take, x, 'conv32_down', { out: 32, kernel: 7, stride: 2, relu: true });
  x = maxPool(graph, x, 'max_pool', 3, 2);

  x = residual(graph, take, x, 'conv32_1');
  x = residual(graph, take, x, 'conv32_2');
  x = residual(graph, take, x, 'conv32_3');

  x = residualDown(graph, take, x, 'conv64_down', 64);
  x = residual(graph, take, x, 'conv64_1');
  x = residual(graph, take, x, 'conv64_2');
  x = residual(graph, take, x, 'conv64_3');

  x = residualDown(graph, take, x, 'conv128_down', 128);
  x = residual(graph, take, x, 'conv128_1');
  x = residual(graph, take, x, 'conv128_2');

  x = residualDown(graph, take, x, 'conv256_down', 256);
  x = residual(graph, take, x, 'conv256_1');
  x = residual(graph, take, x, 'conv256_2');
  x = residualDown(graph, take, x, 'conv256_down_out', 256);

  const mean = graph.addNode('ReduceMean', [x.name], ['global_avg'], { axes: [2, 3], keepdims: 0 });
  graph.addInitializer('fc', take('fc', [x.channels, EMBEDDING_SIZE]), [
    x.channels,
    EMBEDDING_SIZE,
  ]);
  graph.addNode('MatMul', [mean, 'fc'], [OUTPUT_NAME]);
  graph.addOutput(OUTPUT_NAME, ['N', EMBEDDING_SIZE]);

  const unused = [...weights.keys()].filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`dlib ResNet: weights left unused: ${unused.join(', ')}`);
  return graph.serialize();
}

type Take = (name: string, shape: readonly number[]) => Float32Array;

interface ConvSpec {
  out: number;
  kernel: number;
  stride: number;
  relu: boolean;
}

/**
 * face-api's `convLayer`: conv2d (TF.js padding `valid` when strided, else `same`), bias, the
 * per-channel scale layer, and Relu if asked.
 */
function convLayer(graph: OnnxGraph, take: Take, x: Feature, prefix: string, spec: ConvSpec) {
  const { out, kernel, stride } = spec;
  const filters = take(`${prefix}/conv/filters`, [kernel, kernel, x.channels, out]);
  graph.addInitializer(`${prefix}/conv/filters`, hwioToOihw(filters, kernel, x.channels, out), [
    out,
    x.channels,
    kernel,
    kernel,
  ]);
  graph.addInitializer(`${prefix}/conv/bias`, take(`${prefix}/conv/bias`, [out]), [out]);
  graph.addInitializer(`${prefix}/scale/weights`, take(`${prefix}/scale/weights`, [out]), [
    out,
    1,
    1,
  ]);
  graph.addInitializer(`${prefix}/scale/biases`, take(`${prefix}/scale/biases`, [out]), [
    out,
    1,
    1,
  ]);

  // TF.js `valid` for the strided convs, `same` (computed as TF does) for the others.
  let size: number;
  let pads: number[];
  if (stride === 1) {
    size = x.size;
    const total = Math.max(0, (size - 1) * stride + kernel - x.size);
    const before = Math.floor(total / 2);
    pads = [before, before, total - before, total - before];
  } else {
    size = Math.ceil((x.size - kernel + 1) / stride);
    pads = [0, 0, 0, 0];
  }
  const conv = graph.addNode(
    'Conv',
    [x.name, `${prefix}/conv/filters`, `${prefix}/conv/bias`],
    [`${prefix}/conv`],
    {
      kernel_shape: [kernel, kernel],
      strides: [stride, stride],
      pads,
      dilations: [1, 1],
      group: 1,
    },
  );
  const mul = graph.addNode('Mul', [conv, `${prefix}/scale/weights`], [`${prefix}/scale/mul`]);
  let y = graph.addNode('Add', [mul, `${prefix}/scale/biases`], [`${prefix}/scale/add`]);
  if (spec.relu) y = graph.addNode('Relu', [y], [`${prefix}/relu`]);
  return { name: y, channels: out, size };
}

/** face-api's `residual`: conv layer, conv layer without Relu, + input, Relu. */
function residual(graph: OnnxGraph, take: Take, x: Feature, prefix: string): Feature {
  const c = x.channels;
  const a = convLayer(graph, take, x, `${prefix}/conv1`, {
    out: c,
    kernel: 3,
    stride: 1,
    relu: true,
  });
  const b = convLayer(graph, take, a, `${prefix}/conv2`, {
    out: c,
    kernel: 3,
    stride: 1,
    relu: false,
  });
  const sum = graph.addNode('Add', [b.name, x.name], [`${prefix}/add`]);
  return { name: graph.addNode('Relu', [sum], [`${prefix}/relu`]), channels: c, size: x.size };
}

/**
 * face-api's `residualDown`: stride-2 `valid` conv layer, conv layer without Relu; the input
 * average-pooled 2×2/2, zero channels appended when `out` is more channels; the conv branch
 * zero-padded at the bottom and right when one pixel smaller than the pooled input; sum, Relu.
 */
function residualDown(
  graph: OnnxGraph,
  take: Take,
  x: Feature,
  prefix: string,
  out: number,
): Feature {
  const a = convLayer(graph, take, x, `${prefix}/conv1`, { out, kernel: 3, stride: 2, relu: true });
  let b = convLayer(graph, take, a, `${prefix}/conv2`, { out, kernel: 3, stride: 1, relu: false });

  const pooledSize = Math.ceil((x.size - 2 + 1) / 2);
  let pooled = graph.addNode('AveragePool', [x.name], [`${prefix}/avg_pool`], {
    kernel_shape: [2, 2],
    strides: [2, 2],
    pads: [0, 0, 0, 0],
  });

  if (pooledSize !== b.size) {
    // face-api appends exactly one zero row and one zero column; any other gap would not add up.
    if (pooledSize !== b.size + 1) {
      throw new Error(`dlib ResNet ${prefix}: conv ${b.size}px vs pooled ${pooledSize}px`);
    }
    graph.addInitializer(
      `${prefix}/pad_hw`,
      BigInt64Array.from([0, 0, 0, 0, 0, 0, 1, 1], BigInt),
      [8],
    );
    const padded = graph.addNode('Pad', [b.name, `${prefix}/pad_hw`], [`${prefix}/pad_conv`], {
      mode: 'constant',
    });
    b = { name: padded, channels: b.channels, size: pooledSize };
  }
  if (x.channels !== out) {
    // face-api concatenates zeros of the pooled tensor's own shape: channels double.
    if (out !== 2 * x.channels) {
      throw new Error(`dlib ResNet ${prefix}: ${x.channels} → ${out} channels`);
    }
    graph.addInitializer(
      `${prefix}/pad_c`,
      BigInt64Array.from([0, 0, 0, 0, 0, x.channels, 0, 0], BigInt),
      [8],
    );
    pooled = graph.addNode('Pad', [pooled, `${prefix}/pad_c`], [`${prefix}/pad_pooled`], {
      mode: 'constant',
    });
  }
  const sum = graph.addNode('Add', [pooled, b.name], [`${prefix}/add`]);
  return { name: graph.addNode('Relu', [sum], [`${prefix}/relu`]), channels: out, size: b.size };
}

/** TF.js `maxPool(x, k, s, 'valid')`. */
function maxPool(graph: OnnxGraph, x: Feature, name: string, kernel: number, stride: number) {
  const y = graph.addNode('MaxPool', [x.name], [name], {
    kernel_shape: [kernel, kernel],
    strides: [stride, stride],
    pads: [0, 0, 0, 0],
  });
  return { name: y, channels: x.channels, size: Math.ceil((x.size - kernel + 1) / stride) };
}

/** TF filters `[kh, kw, in, out]` → ONNX `[out, in, kh, kw]`. */
function hwioToOihw(w: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let h = 0; h < k; h++) {
    for (let v = 0; v < k; v++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) {
          out[((o * cin + i) * k + h) * k + v] = w[((h * k + v) * cin + i) * cout + o];
        }
      }
    }
  }
  return out;
}
