/**
 * Writes a minimal ONNX model by hand (protobuf wire format, no dependency), so the tests need no
 * model file: `H = MatMul(X, W) + B`, `Y = Relu(H)` with X `[N, 4]`, fixed W `[4, 3]` and B `[3]`.
 * Outputs are `Y` and `H`, in that order.
 */

export const TINY_IN = 4;
export const TINY_OUT = 3;
// Multiples of 1/16: with inputs that are multiples of 1/8, every product and sum is exact in
// float32, so any two correct runtimes must agree bit for bit, whatever their summation order.
// biome-ignore format: a 4×3 matrix reads best as one row per line
export const TINY_W = Float32Array.of(
  0.5, -1.25, 0.75,
  -0.3125, 0.8125, 1.125,
  1.5, 0.1875, -0.625,
  -0.875, 0.4375, 0.0625,
);
export const TINY_B = Float32Array.of(0.125, -0.1875, 0.3125);

/** `[Y, H]` computed in JS for X `[n, 4]` (row-major), accumulating in float64; `weights` and `bias` as in {@link tinyModel}. */
export function tinyReference(
  x: Float32Array,
  weights: Float32Array = TINY_W,
  bias: Float32Array = TINY_B,
): { y: Float32Array; h: Float32Array } {
  const n = x.length / TINY_IN;
  const h = new Float32Array(n * TINY_OUT);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < TINY_OUT; c++) {
      let sum = 0;
      for (let k = 0; k < TINY_IN; k++) sum += x[r * TINY_IN + k] * weights[k * TINY_OUT + c];
      h[r * TINY_OUT + c] = sum + bias[c];
    }
  }
  return { y: h.map((v) => Math.max(0, v)), h };
}

/** The model; `weights` and `bias` replace {@link TINY_W} and {@link TINY_B}. */
export function tinyModel(weights: Float32Array = TINY_W, bias: Float32Array = TINY_B): Uint8Array {
  const tensorType = (dims: (number | string)[]) =>
    msg([
      [
        1,
        msg([
          [1, 1], // elem_type FLOAT
          [2, msg(dims.map((d) => [1, msg([typeof d === 'number' ? [1, d] : [2, d]])]))],
        ]),
      ],
    ]);
  const valueInfo = (name: string, dims: (number | string)[]) =>
    msg([
      [1, name],
      [2, tensorType(dims)],
    ]);
  const initializer = (name: string, dims: number[], data: Float32Array) =>
    msg([
      ...dims.map((d): Field => [1, d]),
      [2, 1], // data_type FLOAT
      [8, name],
      [9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)], // raw_data, little-endian
    ]);
  const node = (op: string, inputs: string[], outputs: string[]) =>
    msg([
      ...inputs.map((i): Field => [1, i]),
      ...outputs.map((o): Field => [2, o]),
      [3, `${op.toLowerCase()}_${outputs[0]}`],
      [4, op],
    ]);
  const graph = msg([
    [1, node('MatMul', ['X', 'W'], ['XW'])],
    [1, node('Add', ['XW', 'B'], ['H'])],
    [1, node('Relu', ['H'], ['Y'])],
    [2, 'tiny'],
    [5, initializer('W', [TINY_IN, TINY_OUT], weights)],
    [5, initializer('B', [TINY_OUT], bias)],
    [11, valueInfo('X', ['N', TINY_IN])],
    [12, valueInfo('Y', ['N', TINY_OUT])],
    [12, valueInfo('H', ['N', TINY_OUT])],
  ]);
  return msg([
    [1, 8], // ir_version
    [2, 'facekit-test'], // producer_name
    [7, graph],
    [
      8,
      msg([
        [1, ''],
        [2, 13],
      ]),
    ], // opset_import: ai.onnx 13
  ]);
}

type Field = [field: number, value: number | string | Uint8Array];

/** Encodes fields in order: numbers as varints (wire type 0), the rest length-delimited (2). */
function msg(fields: Field[]): Uint8Array {
  const out: number[] = [];
  for (const [field, value] of fields) {
    if (typeof value === 'number') {
      varint(out, field << 3);
      varint(out, value);
    } else {
      const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
      varint(out, (field << 3) | 2);
      varint(out, bytes.length);
      for (const b of bytes) out.push(b);
    }
  }
  return Uint8Array.from(out);
}

function varint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}
