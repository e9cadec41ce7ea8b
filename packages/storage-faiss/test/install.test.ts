import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAISS_INSTALL_HINT, loadFaissFrom } from '../src/index.js';

const require = createRequire(import.meta.url);
/** faiss-node as installed (built or not); absent where the optional install was dropped. */
const faissNode = (() => {
  try {
    return dirname(require.resolve('faiss-node/package.json'));
  } catch {
    return undefined;
  }
})();

const tmp = mkdtempSync(join(tmpdir(), 'facekit-faiss-install-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(faissNode === undefined)('faiss-node without the system faiss', () => {
  it('pnpm install skips the build with one line that says how to enable it', () => {
    // The install script of patches/faiss-node@0.5.1.patch, pointed at headers that are not there.
    const noHeaders = join(tmp, 'include');
    mkdirSync(noHeaders);
    const run = spawnSync(process.execPath, ['facekit-install.js'], {
      cwd: faissNode,
      env: { ...process.env, FACEKIT_FAISS_INCLUDE_DIR: noHeaders },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `faiss-node: not built (no faiss/IndexFlat.h in ${noHeaders}); --store faiss needs it: apt-get install libfaiss-dev libopenblas-dev, then pnpm -r rebuild faiss-node\n`,
    );
  });

  it('the store then names the missing addon and the same two steps', () => {
    // faiss-node as the skipped install leaves it: its JavaScript, no build/ directory.
    const modules = join(tmp, 'node_modules');
    cpSync(join(faissNode as string, 'lib'), join(modules, 'faiss-node', 'lib'), {
      recursive: true,
    });
    cpSync(join(faissNode as string, 'package.json'), join(modules, 'faiss-node', 'package.json'));
    const bindings = dirname(
      createRequire(join(faissNode as string, 'package.json')).resolve('bindings/package.json'),
    );
    symlinkSync(bindings, join(modules, 'bindings'));
    const unbuilt = () => createRequire(join(tmp, 'index.js'))('faiss-node');
    expect(unbuilt).toThrow(/Could not locate the bindings file/);
    let message = '';
    try {
      loadFaissFrom(unbuilt);
    } catch (error) {
      expect(error).toMatchObject({ name: 'InternalServerError' });
      message = (error as Error).message;
    }
    expect(message).toBe(
      `@facekit/storage-faiss could not load faiss-node's native addon (Could not locate the bindings file). ${FAISS_INSTALL_HINT}`,
    );
    expect(FAISS_INSTALL_HINT).toContain('apt-get install libfaiss-dev libopenblas-dev');
    expect(FAISS_INSTALL_HINT).toContain('`pnpm -r rebuild faiss-node`');
  });
});
