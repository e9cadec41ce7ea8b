import { OnnxDataType, type OnnxModelProto, type OnnxTensor } from '../onnx/onnx-model.js';

/**
 * Operators whose meaning is the same at opsets 9, 10 and 11 for the attributes they may carry.
 * (Opset 10 added `ceil_mode` to the pools with a default of 0, the old behaviour.)
 */
const UNCHANGED_9_TO_11 = new Set([
  'Add',
  'AveragePool',
  'BatchNormalization',
  'Concat',
  'Constant',
  'Conv',
  'Div',
  'Exp',
  'Flatten',
  'Gather',
  'Gemm',
  'GlobalAveragePool',
  'MatMul',
  'MaxPool',
  'Mul',
  'PRelu',
  'Relu',
  'Reshape',
  'Shape',
  'Sigmoid',
  'Softmax',
  'Sub',
  'Transpose',
  'Unsqueeze',
]);

/** The opset onnxruntime's QLinearConv needs (10) with Slice's input form: 11. */
export const QDQ_OPSET = 11;

/**
 * Raises the default-domain opset of a model exported at 9 or 10 to 11, so onnxruntime can fuse
 * its QDQ groups into QLinear operators (registered from opset 10). Slice before opset 10 took
 * `starts`/`ends`/`axes` as attributes; they become int64 inputs. Any other operator must be in
 * a list of those whose meaning did not change.
 * @throws {Error} naming an operator this upgrade does not know.
 */
export function upgradeOpsetTo11(model: OnnxModelProto): void {
  const opset = model.opsetImport.find((o) => (o.domain ?? '') === '');
  if (!opset) throw new Error('ONNX model imports no default-domain opset');
  if (opset.version >= QDQ_OPSET) return;
  if (opset.version < 9) throw new Error(`Cannot upgrade an opset ${opset.version} model`);
  const names = new Set([
    ...model.graph.initializer.map((t) => t.name),
    ...model.graph.node.flatMap((n) => n.output),
  ]);
  const added: OnnxTensor[] = [];
  for (const node of model.graph.node) {
    if ((node.domain ?? '') !== '') continue;
    if (node.opType === 'Slice' && opset.version < 10) {
      const attributes = node.attribute ?? [];
      for (const key of ['starts', 'ends', 'axes'] as const) {
        const attribute = attributes.find((a) => a.name === key);
        if (!attribute) {
          if (key === 'axes') break;
          throw new Error(`Slice "${node.name}" has no ${key}`);
        }
        let name = `${node.output[0]}_${key}`;
        for (let i = 1; names.has(name); i++) name = `${node.output[0]}_${key}_${i}`;
        names.add(name);
        const values = (attribute.ints ?? []).map((v) => BigInt(v));
        const raw = new Uint8Array(values.length * 8);
        const view = new DataView(raw.buffer);
        for (const [i, v] of values.entries()) view.setBigInt64(i * 8, v, true);
        added.push({ name, dims: [values.length], dataType: OnnxDataType.INT64, rawData: raw });
        node.input.push(name);
      }
      node.attribute = [];
      continue;
    }
    if (!UNCHANGED_9_TO_11.has(node.opType)) {
      throw new Error(`Cannot upgrade ${node.opType} ("${node.name}") from opset ${opset.version}`);
    }
  }
  model.graph.initializer.push(...added);
  opset.version = QDQ_OPSET;
  // IR version 6 goes with opset 11 (ONNX 1.6).
  model.irVersion = Math.max(model.irVersion, 6);
}
