/**
 * pgvector's text format, `[0.1,-0.2,...]`. Each float32 is written as its shortest double
 * string, which pgvector's `strtof` reads back to the same float32; pgvector writes the shortest
 * string that reads back as the same float32. So vectors round-trip exactly.
 */
export function vectorLiteral(vector: Float32Array): string {
  for (const x of vector) {
    if (!Number.isFinite(x)) throw new RangeError('A face vector holds a NaN or infinite value.');
  }
  return `[${vector.join(',')}]`;
}

/** Parses pgvector's text output (valid JSON: numbers like `1.5e-05`). */
export function parseVector(text: string): Float32Array {
  return Float32Array.from(JSON.parse(text) as number[]);
}
