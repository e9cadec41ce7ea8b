import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTarball } from '../src/sources/read-tarball.js';

const text = new TextEncoder();

function header(name: string, size: number, type: string, prefix = ''): Uint8Array {
  const h = new Uint8Array(512);
  h.set(text.encode(name), 0);
  h.set(text.encode(`${size.toString(8).padStart(11, '0')}\0`), 124);
  h.set(text.encode(type), 156);
  h.set(text.encode('ustar\0'), 257);
  h.set(text.encode(prefix), 345);
  return h;
}

function entry(name: string, data: Uint8Array, type = '0', prefix = ''): Uint8Array[] {
  const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
  padded.set(data);
  return [header(name, data.length, type, prefix), padded];
}

function tgz(...parts: Uint8Array[][]): Uint8Array {
  return gzipSync(Buffer.concat([...parts.flat(), new Uint8Array(1024)]));
}

describe('readTarball', () => {
  it('returns regular files keyed by path without the top directory', () => {
    const big = new Uint8Array(1300).map((_, i) => i % 251);
    const files = readTarball(
      tgz(
        entry('package/', new Uint8Array(), '5'),
        entry('package/model/a.onnx', big),
        entry('package/README.md', text.encode('hi')),
      ),
    );
    expect([...files.keys()]).toEqual(['model/a.onnx', 'README.md']);
    expect(files.get('model/a.onnx')).toEqual(big);
    expect(new TextDecoder().decode(files.get('README.md'))).toBe('hi');
  });

  it('honours ustar prefixes and PAX long names', () => {
    const long = `package/${'d/'.repeat(60)}f.bin`;
    const files = readTarball(
      tgz(
        entry('x.bin', text.encode('1'), '0', 'package/deep'),
        entry('PaxHeader', text.encode(`${long.length + 9} path=${long}\n`), 'x'),
        entry('truncated-name', text.encode('2')),
      ),
    );
    expect(new TextDecoder().decode(files.get('deep/x.bin'))).toBe('1');
    expect(new TextDecoder().decode(files.get(long.slice('package/'.length)))).toBe('2');
  });

  it('rejects a truncated archive', () => {
    const [h] = entry('package/a', new Uint8Array(2000));
    expect(() => readTarball(gzipSync(h))).toThrow(/Truncated/);
  });
});
