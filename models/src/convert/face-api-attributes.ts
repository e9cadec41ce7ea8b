import type { ModelRecipe } from '../model-recipe.js';
import { packageSpec } from '../sources/pinned-package.js';
import { faceApiPackage } from './dlib-resnet.js';
import { createOnnxGraph, type OnnxGraph } from './onnx-writer.js';
import { loadTfjsWeights, type ReadFile, type TfjsWeight } from './tfjs-weights.js';

/**
 * face-api's age/gender network (`AgeGenderNet`: TinyXception with 2 middle blocks, then two
 * fully connected heads) and its expression network (`FaceExpressionNet`: 4 dense blocks of
 * separable convolutions, then one fully connected layer), written to ONNX op for op, in NCHW.
 * Both take face-api's 112×112 RGB input normalised as `(pixel − meanRgb) / 255`; face-api
 * pads the face box to a centred square (zeros) before resizing.
 */

const AGE_GENDER_MANIFEST = 'model/age_gender_model-weights_manifest.json';
const EXPRESSION_MANIFEST = 'model/face_expression_model-weights_manifest.json';
const INPUT_SIZE = 112;
/** face-api's `normalize(x, [122.782, 117.001, 104.298]).div(255)` (1.7.15's source). */
const MEAN_RGB = [122.782, 117.001, 104.298];
const STD_RGB = [255, 255, 255];

const FACE_API_ORIGIN =
  "@vladmandic/face-api (MIT; a maintained fork of Vincent Mühler's face-api.js, MIT) ships these weights quantised to uint8 as TF.js weights; the network is defined in its source, which facekit writes to ONNX with its own converter (checked against face-api run in TF.js). face-api.js does not publish the training data or accuracy of its age/gender and expression models.";

export const faceApiAgeGenderRecipe: ModelRecipe = {
  id: 'face-api-age-gender',
  version: faceApiPackage.version,
  task: 'age',
  source: { package: faceApiPackage, file: AGE_GENDER_MANIFEST, method: 'converted' },
  license: 'MIT',
  origin: "face-api.js's AgeGenderNet (TinyXception), converted from face-api's TF.js weights",
  provenance: `face-api.js's AgeGenderNet: a TinyXception feature extractor (112×112 input, 2 middle blocks) with an age regression head (years) and a 2-way gender softmax (index 0 male, 1 female). ${FACE_API_ORIGIN} Crop: the face box padded to a centred square.`,
  input: { layout: 'NCHW', channels: 'RGB', mean: MEAN_RGB, std: STD_RGB },
  outputs: {
    age: 'estimated age in years [N, 1] (regression, not clamped)',
    gender: 'gender probabilities [N, 2] after softmax: index 0 male, index 1 female',
  },
  produce: ({ packages }) => convertFaceApiAgeGender((path) => packages.read(faceApiPackage, path)),
};

export const faceApiExpressionRecipe: ModelRecipe = {
  id: 'face-api-expression',
  version: faceApiPackage.version,
  task: 'expression',
  source: { package: faceApiPackage, file: EXPRESSION_MANIFEST, method: 'converted' },
  license: 'MIT',
  origin: "face-api.js's FaceExpressionNet, converted from face-api's TF.js weights",
  provenance: `face-api.js's FaceExpressionNet: 4 dense blocks of depthwise-separable convolutions (the 68-point landmark net's feature extractor) and a 7-way softmax over neutral, happy, sad, angry, fearful, disgusted, surprised (face-api's FACE_EXPRESSION_LABELS order). ${FACE_API_ORIGIN} Crop: the face box padded to a centred square.`,
  input: { layout: 'NCHW', channels: 'RGB', mean: MEAN_RGB, std: STD_RGB },
  outputs: {
    expressions:
      'probabilities [N, 7] after softmax: neutral, happy, sad, angry, fearful, disgusted, surprised',
  },
  produce: ({ packages }) =>
    convertFaceApiExpression((path) => packages.read(faceApiPackage, path)),
};

export async function convertFaceApiAgeGender(read: ReadFile): Promise<Uint8Array> {
  return buildAgeGenderOnnx(await loadTfjsWeights(AGE_GENDER_MANIFEST, read));
}

export async function convertFaceApiExpression(read: ReadFile): Promise<Uint8Array> {
  return buildExpressionOnnx(await loadTfjsWeights(EXPRESSION_MANIFEST, read));
}

interface Feature {
  name: string;
  channels: number;
  size: number;
}

/** Builds graphs from a weight map, using every weight exactly once. */
class Builder {
  readonly graph: OnnxGraph;
  readonly #weights: ReadonlyMap<string, TfjsWeight>;
  readonly #used = new Set<string>();
  readonly #model: string;
  #n = 0;

  constructor(
    model: string,
    id: string,
    manifest: string,
    weights: ReadonlyMap<string, TfjsWeight>,
  ) {
    this.#model = model;
    this.#weights = weights;
    this.graph = createOnnxGraph({
      name: model,
      producerName: 'facekit',
      docString: `face-api's ${model}, converted by @facekit/models from the TF.js weights in ${packageSpec(faceApiPackage)} (${manifest}).`,
      metadata: {
        id,
        source: `${packageSpec(faceApiPackage)}/${manifest}`,
        layout: 'NCHW',
        channels: 'RGB',
        input_size: `${INPUT_SIZE}x${INPUT_SIZE}`,
        mean: MEAN_RGB.join(','),
        std: STD_RGB.join(','),
        normalisation: '(pixel - mean[c]) / std[c], pixels 0-255',
      },
    });
  }

  take(name: string, shape: readonly number[]): Float32Array {
    const weight = this.#weights.get(name);
    if (weight === undefined) throw new Error(`${this.#model}: weight ${name} is missing`);
    if (weight.shape.join() !== shape.join()) {
      throw new Error(`${this.#model}: ${name} has shape [${weight.shape}], expected [${shape}]`);
    }
    if (this.#used.has(name)) throw new Error(`${this.#model}: weight ${name} used twice`);
    this.#used.add(name);
    return weight.data;
  }

  checkAllUsed(): void {
    const unused = [...this.#weights.keys()].filter((name) => !this.#used.has(name));
    if (unused.length > 0)
      throw new Error(`${this.#model}: weights left unused: ${unused.join(', ')}`);
  }

  id(prefix: string): string {
    this.#n++;
    return `${prefix}#${this.#n}`;
  }

  /** TF `same` padding of a k×k window at stride s: [top, left, bottom, right] and output size. */
  static same(size: number, kernel: number, stride: number) {
    const out = Math.ceil(size / stride);
    const total = Math.max(0, (out - 1) * stride + kernel - size);
    const before = Math.floor(total / 2);
    return { out, pads: [before, before, total - before, total - before] };
  }

  /** `tf.add(tf.conv2d(x, filters, stride, 'same'), bias)`. */
  conv(x: Feature, prefix: string, out: number, kernel: number, stride: number): Feature {
    const f = this.take(`${prefix}/filters`, [kernel, kernel, x.channels, out]);
    this.graph.addInitializer(`${prefix}/filters`, hwioToOihw(f, kernel, x.channels, out), [
      out,
      x.channels,
      kernel,
      kernel,
    ]);
    this.graph.addInitializer(`${prefix}/bias`, this.take(`${prefix}/bias`, [out]), [out]);
    const { out: size, pads } = Builder.same(x.size, kernel, stride);
    const y = this.graph.addNode(
      'Conv',
      [x.name, `${prefix}/filters`, `${prefix}/bias`],
      [this.id(`${prefix}/conv`)],
      { kernel_shape: [kernel, kernel], strides: [stride, stride], pads, group: 1 },
    );
    return { name: y, channels: out, size };
  }

  /** face-api's `depthwiseSeparableConv`: `separableConv2d(…, 'same')` + bias. */
  separable(x: Feature, prefix: string, out: number, stride: number): Feature {
    const c = x.channels;
    const dw = this.take(`${prefix}/depthwise_filter`, [3, 3, c, 1]);
    // TF [kh, kw, C, 1] → ONNX grouped conv [C, 1, kh, kw].
    const dwOnnx = new Float32Array(dw.length);
    for (let h = 0; h < 3; h++) {
      for (let w = 0; w < 3; w++) {
        for (let ch = 0; ch < c; ch++) dwOnnx[(ch * 3 + h) * 3 + w] = dw[(h * 3 + w) * c + ch];
      }
    }
    this.graph.addInitializer(`${prefix}/depthwise_filter`, dwOnnx, [c, 1, 3, 3]);
    const pw = this.take(`${prefix}/pointwise_filter`, [1, 1, c, out]);
    this.graph.addInitializer(`${prefix}/pointwise_filter`, hwioToOihw(pw, 1, c, out), [
      out,
      c,
      1,
      1,
    ]);
    this.graph.addInitializer(`${prefix}/bias`, this.take(`${prefix}/bias`, [out]), [out]);
    const { out: size, pads } = Builder.same(x.size, 3, stride);
    const d = this.graph.addNode(
      'Conv',
      [x.name, `${prefix}/depthwise_filter`],
      [this.id(`${prefix}/depthwise`)],
      { kernel_shape: [3, 3], strides: [stride, stride], pads, group: c },
    );
    const p = this.graph.addNode(
      'Conv',
      [d, `${prefix}/pointwise_filter`, `${prefix}/bias`],
      [this.id(`${prefix}/pointwise`)],
      { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], group: 1 },
    );
    return { name: p, channels: out, size };
  }

  relu(x: Feature): Feature {
    return { ...x, name: this.graph.addNode('Relu', [x.name], [this.id('relu')]) };
  }

  add(...xs: Feature[]): Feature {
    let acc = xs[xs.length - 1];
    // Same association as face-api: a + (b + (c + d)).
    for (let i = xs.length - 2; i >= 0; i--) {
      acc = { ...acc, name: this.graph.addNode('Add', [xs[i].name, acc.name], [this.id('add')]) };
    }
    return acc;
  }

  /** `tf.maxPool(x, [3, 3], [2, 2], 'same')`: padding never wins a max. */
  maxPoolSame(x: Feature): Feature {
    const { out, pads } = Builder.same(x.size, 3, 2);
    const y = this.graph.addNode('MaxPool', [x.name], [this.id('maxpool')], {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads,
    });
    return { name: y, channels: x.channels, size: out };
  }

  /** `tf.avgPool(x, [7, 7], [2, 2], 'valid')` on a 7×7 map, flattened: `[N, C]`. */
  globalPool7(x: Feature): string {
    if (x.size !== 7) throw new Error(`${this.#model}: pooled map is ${x.size}px, 7 expected`);
    const y = this.graph.addNode('AveragePool', [x.name], [this.id('avgpool')], {
      kernel_shape: [7, 7],
      strides: [2, 2],
      pads: [0, 0, 0, 0],
    });
    return this.graph.addNode('Flatten', [y], [this.id('flatten')], { axis: 1 });
  }

  /** `matMul(x, weights) + bias`. */
  fc(x: string, prefix: string, cin: number, cout: number, output: string): string {
    this.graph.addInitializer(`${prefix}/weights`, this.take(`${prefix}/weights`, [cin, cout]), [
      cin,
      cout,
    ]);
    this.graph.addInitializer(`${prefix}/bias`, this.take(`${prefix}/bias`, [cout]), [cout]);
    const m = this.graph.addNode('MatMul', [x, `${prefix}/weights`], [this.id(`${prefix}/matmul`)]);
    return this.graph.addNode('Add', [m, `${prefix}/bias`], [output]);
  }
}

/** face-api's `AgeGenderNet` (TinyXception(2) + fc/age + softmax(fc/gender)). */
export function buildAgeGenderOnnx(weights: ReadonlyMap<string, TfjsWeight>): Uint8Array {
  const b = new Builder('AgeGenderNet', faceApiAgeGenderRecipe.id, AGE_GENDER_MANIFEST, weights);
  b.graph.addInput('input', ['N', 3, INPUT_SIZE, INPUT_SIZE]);
  const input: Feature = { name: 'input', channels: 3, size: INPUT_SIZE };

  const reduction = (x: Feature, prefix: string, out: number, activate: boolean): Feature => {
    let y = activate ? b.relu(x) : x;
    y = b.separable(y, `${prefix}/separable_conv0`, out, 1);
    y = b.separable(b.relu(y), `${prefix}/separable_conv1`, out, 1);
    y = b.maxPoolSame(y);
    return b.add(y, b.conv(x, `${prefix}/expansion_conv`, out, 1, 2));
  };
  const main = (x: Feature, prefix: string): Feature => {
    let y = b.separable(b.relu(x), `${prefix}/separable_conv0`, x.channels, 1);
    y = b.separable(b.relu(y), `${prefix}/separable_conv1`, x.channels, 1);
    y = b.separable(b.relu(y), `${prefix}/separable_conv2`, x.channels, 1);
    return b.add(y, x);
  };

  let x = b.relu(b.conv(input, 'entry_flow/conv_in', 32, 3, 2));
  x = reduction(x, 'entry_flow/reduction_block_0', 64, false);
  x = reduction(x, 'entry_flow/reduction_block_1', 128, true);
  x = main(x, 'middle_flow/main_block_0');
  x = main(x, 'middle_flow/main_block_1');
  x = reduction(x, 'exit_flow/reduction_block', 256, true);
  x = b.relu(b.separable(x, 'exit_flow/separable_conv', 512, 1));
  const pooled = b.globalPool7(x);
  b.fc(pooled, 'fc/age', 512, 1, 'age');
  const logits = b.fc(pooled, 'fc/gender', 512, 2, 'gender_logits');
  b.graph.addNode('Softmax', [logits], ['gender'], { axis: 1 });
  b.graph.addOutput('age', ['N', 1]);
  b.graph.addOutput('gender', ['N', 2]);
  b.checkAllUsed();
  return b.graph.serialize();
}

/** face-api's `FaceExpressionNet` (FaceFeatureExtractor + softmax(fc)). */
export function buildExpressionOnnx(weights: ReadonlyMap<string, TfjsWeight>): Uint8Array {
  const b = new Builder(
    'FaceExpressionNet',
    faceApiExpressionRecipe.id,
    EXPRESSION_MANIFEST,
    weights,
  );
  b.graph.addInput('input', ['N', 3, INPUT_SIZE, INPUT_SIZE]);
  const dense4 = (x: Feature, prefix: string, out: number, first: boolean): Feature => {
    const out1 = b.relu(
      first ? b.conv(x, `${prefix}/conv0`, out, 3, 2) : b.separable(x, `${prefix}/conv0`, out, 2),
    );
    const out2 = b.separable(out1, `${prefix}/conv1`, out, 1);
    const in3 = b.relu(b.add(out1, out2));
    const out3 = b.separable(in3, `${prefix}/conv2`, out, 1);
    const in4 = b.relu(b.add(out1, out2, out3));
    const out4 = b.separable(in4, `${prefix}/conv3`, out, 1);
    return b.relu(b.add(out1, out2, out3, out4));
  };
  let x: Feature = { name: 'input', channels: 3, size: INPUT_SIZE };
  x = dense4(x, 'dense0', 32, true);
  x = dense4(x, 'dense1', 64, false);
  x = dense4(x, 'dense2', 128, false);
  x = dense4(x, 'dense3', 256, false);
  const logits = b.fc(b.globalPool7(x), 'fc', 256, 7, 'logits');
  b.graph.addNode('Softmax', [logits], ['expressions'], { axis: 1 });
  b.graph.addOutput('expressions', ['N', 7]);
  b.checkAllUsed();
  return b.graph.serialize();
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
