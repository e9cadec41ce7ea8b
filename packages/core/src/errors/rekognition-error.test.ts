import { describe, expect, it } from 'vitest';
import {
  errorClasses,
  InternalServerError,
  InvalidParameterException,
  RekognitionError,
} from '../index.js';

describe('RekognitionError', () => {
  it('carries the wire name, fault and cause', () => {
    const cause = new Error('driver');
    const error = new InvalidParameterException('bad', { cause });
    expect(error.name).toBe('InvalidParameterException');
    expect(error.$fault).toBe('client');
    expect(error.message).toBe('bad');
    expect(error.cause).toBe(cause);
    expect(new InternalServerError('x').$fault).toBe('server');
  });

  it('recognises instances by marker, not prototype', () => {
    expect(RekognitionError.isInstance(new InvalidParameterException('x'))).toBe(true);
    expect(RekognitionError.isInstance(new Error('x'))).toBe(false);
    expect(RekognitionError.isInstance({ name: 'InvalidParameterException' })).toBe(false);
    expect(RekognitionError.isInstance(null)).toBe(false);
  });

  it('has one class per name, each named after itself', () => {
    for (const [name, ErrorClass] of Object.entries(errorClasses)) {
      expect(new ErrorClass('m').name).toBe(name);
    }
  });
});
