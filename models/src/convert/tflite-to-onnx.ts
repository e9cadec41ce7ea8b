import { createOnnxGraph, type OnnxDim, type OnnxGraphOptions } from './onnx-writer.js';
import {
  readTflite,
  type TfliteModel,
  TfliteOp,
  type TfliteOperator,
  tfliteFloats,
  tfliteInts,
} from './tflite-reader.js';

/**
 * Writes a float32 TensorFlow Lite model as an ONNX graph, operator by operator. Activations stay
 * in TFLite's NHWC layout; convolutions and pools are wrapped in transposes to ONNX's NCHW (which
 * onnxruntime's optimiser folds away). Only the operators facekit's models use are supported;
 * any other fails the conversion by name rather than producing a wrong graph.
 */
export interface TfliteToOnnxOptions extends OnnxGraphOptions {
  /** Name of the ONNX graph input. */
  inputName: string;
  /**
   * The ONNX input is NCHW `[N, C, H, W]` with a free batch; this permutation of it gives the
   * TFLite input tensor (NHWC `[0, 2, 3, 1]`, or `[0, 3, 2, 1]` for a network trained on
   * transposed images, as MTCNN's).
   */
  inputPermutation: readonly number[];
  /** ONNX names of the TFLite outputs, by TFLite tensor name. */
  outputNames: Readonly<Record<string, string>>;
}

/** `ActivationFunctionType` values (schema.fbs). */
const Activation = { NONE: 0, RELU: 1, RELU6: 3 } as const;
/** `Padding` values (schema.fbs). */
const Padding = { SAME: 0, VALID: 1 } as const;

export function convertTfliteToOnnx(bytes: Uint8Array, options: TfliteToOnnxOptions): Uint8Array {
  const model = readTflite(bytes);
  const graph = createOnnxGraph(options);
  const { tensors } = model;
  const names = new Map<number, string>();
  let serial = 0;
  const fresh = (base: string) => `${base}__${serial++}`;

  /** The ONNX value holding tensor `index`: a constant becomes an initializer on first use. */
  const value = (index: number): string => {
    const known = names.get(index);
    if (known) return known;
    const tensor = tensors[index];
    if (!tensor?.data) throw new Error(`TFLite tensor ${index} is read before it is produced`);
    graph.addInitializer(tensor.name, tfliteFloats(tensor), [...tensor.shape]);
    names.set(index, tensor.name);
    return tensor.name;
  };
  const constant = (base: string, data: Float32Array | BigInt64Array, dims: number[]) => {
    const name = fresh(base);
    graph.addInitializer(name, data, dims);
    return name;
  };
  const activate = (op: TfliteOperator, id: number, input: string, output: string) => {
    const fused = op.option(id, 'int8', Activation.NONE);
    if (fused === Activation.NONE) return graph.addNode('Identity', [input], [output]);
    if (fused === Activation.RELU) return graph.addNode('Relu', [input], [output]);
    if (fused === Activation.RELU6) {
      const lo = constant('zero', new Float32Array([0]), []);
      const hi = constant('six', new Float32Array([6]), []);
      return graph.addNode('Clip', [input, lo, hi], [output]);
    }
    throw new Error(`TFLite fused activation ${fused} is not supported`);
  };
  /** Wraps an NCHW op between NHWC ↔ NCHW transposes. */
  const inNchw = (nhwc: string, base: string, body: (nchw: string) => string): string => {
    const nchw = graph.addNode('Transpose', [nhwc], [fresh(`${base}_nchw`)], {
      perm: [0, 3, 1, 2],
    });
    return graph.addNode('Transpose', [body(nchw)], [fresh(`${base}_nhwc`)], {
      perm: [0, 2, 3, 1],
    });
  };
  /** ONNX `pads` for TFLite SAME/VALID padding of a spatial input. */
  const pads = (
    padding: number,
    inHw: readonly number[],
    kernel: readonly number[],
    strides: readonly number[],
    dilations: readonly number[] = [1, 1],
  ) => {
    if (padding === Padding.VALID) return [0, 0, 0, 0];
    const before: number[] = [];
    const after: number[] = [];
    for (let k = 0; k < 2; k++) {
      const out = Math.ceil(inHw[k] / strides[k]);
      const extent = (kernel[k] - 1) * dilations[k] + 1;
      const total = Math.max((out - 1) * strides[k] + extent - inHw[k], 0);
      before.push(Math.floor(total / 2));
      after.push(total - Math.floor(total / 2));
    }
    return [...before, ...after];
  };

  // The graph input, permuted into the TFLite input tensor.
  const [inputIndex] = model.inputs;
  const inputShape = tensors[inputIndex].shape;
  const nchwDims: OnnxDim[] = ['N', 0, 0, 0];
  options.inputPermutation.forEach((from, to) => {
    if (to > 0) nchwDims[from] = inputShape[to];
  });
  graph.addInput(options.inputName, nchwDims);
  names.set(
    inputIndex,
    graph.addNode('Transpose', [options.inputName], [fresh('tflite_input')], {
      perm: [...options.inputPermutation],
    }),
  );

  for (const op of model.operators) {
    const out = tensors[op.outputs[0]];
    const target = options.outputNames[out.name] ?? out.name;
    const input = (k: number) => value(op.inputs[k]);
    let produced: string;
    switch (op.code) {
      case TfliteOp.CONV_2D:
      case TfliteOp.DEPTHWISE_CONV_2D: {
        const depthwise = op.code === TfliteOp.DEPTHWISE_CONV_2D;
        const w = tensors[op.inputs[1]];
        const inShape = tensors[op.inputs[0]].shape;
        // TFLite weights: OHWI (conv) or 1HW(C·M) (depthwise); ONNX wants OIHW.
        const [o, kh, kw, i] = depthwise
          ? [w.shape[3], w.shape[1], w.shape[2], 1]
          : [w.shape[0], w.shape[1], w.shape[2], w.shape[3]];
        const src = tfliteFloats(w);
        const oihw = new Float32Array(src.length);
        for (let a = 0; a < o; a++)
          for (let y = 0; y < kh; y++)
            for (let x = 0; x < kw; x++)
              for (let b = 0; b < i; b++) {
                const from = depthwise ? (y * kw + x) * o + a : ((a * kh + y) * kw + x) * i + b;
                oihw[((a * i + b) * kh + y) * kw + x] = src[from];
              }
        const weights = constant(`${w.name}_oihw`, oihw, [o, i, kh, kw]);
        const strides = [op.option(2, 'int32', 1), op.option(1, 'int32', 1)];
        // Dilation h, w: fields 5, 4 (Conv2DOptions) or 6, 5 (DepthwiseConv2DOptions).
        const dilations = depthwise
          ? [op.option(6, 'int32', 1), op.option(5, 'int32', 1)]
          : [op.option(5, 'int32', 1), op.option(4, 'int32', 1)];
        const padding = op.option(0, 'int8', Padding.SAME);
        const bias = op.inputs[2] >= 0 ? [input(2)] : [];
        const conv = inNchw(input(0), out.name, (x) =>
          graph.addNode('Conv', [x, weights, ...bias], [fresh(`${out.name}_conv`)], {
            kernel_shape: [kh, kw],
            strides,
            dilations,
            group: depthwise ? o : 1,
            pads: pads(padding, [inShape[1], inShape[2]], [kh, kw], strides, dilations),
          }),
        );
        // Conv2DOptions: fused activation is field 3; DepthwiseConv2DOptions: field 4.
        produced = activate(op, depthwise ? 4 : 3, conv, target);
        break;
      }
      case TfliteOp.MAX_POOL_2D: {
        const inShape = tensors[op.inputs[0]].shape;
        const kernel = [op.option(4, 'int32', 1), op.option(3, 'int32', 1)];
        const strides = [op.option(2, 'int32', 1), op.option(1, 'int32', 1)];
        const padding = op.option(0, 'int8', Padding.SAME);
        const pooled = inNchw(input(0), out.name, (x) =>
          graph.addNode('MaxPool', [x], [fresh(`${out.name}_pool`)], {
            kernel_shape: kernel,
            strides,
            pads: pads(padding, [inShape[1], inShape[2]], kernel, strides),
          }),
        );
        produced = activate(op, 5, pooled, target);
        break;
      }
      case TfliteOp.FULLY_CONNECTED: {
        const w = tensors[op.inputs[1]];
        const flat = graph.addNode(
          'Reshape',
          [input(0), constant('fc_shape', BigInt64Array.from([-1n, BigInt(w.shape[1])]), [2])],
          [fresh(`${out.name}_flat`)],
        );
        const bias = op.inputs[2] >= 0 ? [input(2)] : [];
        const fc = graph.addNode('Gemm', [flat, input(1), ...bias], [fresh(`${out.name}_fc`)], {
          transB: 1,
        });
        produced = activate(op, 0, fc, target);
        break;
      }
      case TfliteOp.ADD:
      case TfliteOp.SUB:
      case TfliteOp.MUL:
      case TfliteOp.DIV: {
        const onnxOp = { 0: 'Add', 41: 'Sub', 18: 'Mul', 42: 'Div' }[op.code] as string;
        const raw = graph.addNode(onnxOp, [input(0), input(1)], [fresh(`${out.name}_raw`)]);
        produced = activate(op, 0, raw, target);
        break;
      }
      case TfliteOp.RELU:
        produced = graph.addNode('Relu', [input(0)], [target]);
        break;
      case TfliteOp.NEG:
        produced = graph.addNode('Neg', [input(0)], [target]);
        break;
      case TfliteOp.EXP:
        produced = graph.addNode('Exp', [input(0)], [target]);
        break;
      case TfliteOp.SOFTMAX:
        produced = graph.addNode('Softmax', [input(0)], [target], { axis: -1 });
        break;
      case TfliteOp.REDUCE_MAX:
      case TfliteOp.SUM: {
        const rank = tensors[op.inputs[0]].shape.length;
        const axes = tfliteInts(tensors[op.inputs[1]]).map((a) => (a < 0 ? a + rank : a));
        const keepdims = op.option(0, 'bool', 0);
        produced =
          op.code === TfliteOp.SUM
            ? graph.addNode(
                'ReduceSum',
                [input(0), constant('axes', BigInt64Array.from(axes.map(BigInt)), [axes.length])],
                [target],
                { keepdims },
              )
            : graph.addNode('ReduceMax', [input(0)], [target], { axes, keepdims });
        break;
      }
      case TfliteOp.RESHAPE: {
        const shape = tensors[op.outputs[0]].shape.map((d, k) => (k === 0 ? -1 : d));
        produced = graph.addNode(
          'Reshape',
          [input(0), constant('shape', BigInt64Array.from(shape.map(BigInt)), [shape.length])],
          [target],
        );
        break;
      }
      default:
        throw new Error(`TFLite operator ${op.code} (producing ${out.name}) is not supported`);
    }
    names.set(op.outputs[0], produced);
  }

  for (const index of model.outputs) {
    const tensor = tensors[index];
    const name = options.outputNames[tensor.name];
    if (!name || names.get(index) !== name) {
      throw new Error(`TFLite output ${tensor.name} has no ONNX name in outputNames`);
    }
    graph.addOutput(
      name,
      tensor.shape.map((d, k) => (k === 0 ? 'N' : d)),
    );
  }
  return graph.serialize();
}

export type { TfliteModel };
