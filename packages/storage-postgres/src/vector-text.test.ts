import { describe, expect, it } from 'vitest';
import { parseVector, vectorLiteral } from './vector-text.js';

describe('pgvector text form', () => {
  it('writes each float32 so that it reads back to the same float32', () => {
    const vector = Float32Array.from([0.1234567, 1 / 3, -1.2345678e-5, 1e-30, -0.9999999]);
    const text = vectorLiteral(vector);
    expect(text).toMatch(/^\[[^\]]+\]$/);
    expect(Array.from(parseVector(text))).toEqual(Array.from(vector));
  });

  it("parses pgvector's shortest float32 output, exponents included", () => {
    expect(Array.from(parseVector('[0.1234567,0.33333334,-1.2345678e-05]'))).toEqual(
      Array.from(Float32Array.from([0.1234567, 1 / 3, -1.2345678e-5])),
    );
  });

  it('refuses NaN and infinities, which pgvector would reject anyway', () => {
    expect(() => vectorLiteral(Float32Array.from([0, Number.NaN]))).toThrow(RangeError);
    expect(() => vectorLiteral(Float32Array.from([Number.POSITIVE_INFINITY]))).toThrow(RangeError);
  });
});
