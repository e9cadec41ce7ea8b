import { type FaceStore, ResourceNotFoundException, type StoredFace } from '@facekit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRemoteFaceStore, decode, encode, handleStoreRpc } from './store-rpc.js';

describe('store RPC', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('keeps Float32Array vectors through JSON, nested or not', () => {
    const value = { faces: [{ vector: new Float32Array([0.5, -0.25]) }], n: 1 };
    const back = decode(encode(value)) as typeof value;
    expect(back.faces[0]?.vector).toBeInstanceOf(Float32Array);
    expect(Array.from(back.faces[0]?.vector ?? [])).toEqual([0.5, -0.25]);
    expect(back.n).toBe(1);
  });

  /** A store that records putFaces and knows no collection, behind a stubbed `fetch`. */
  function remote() {
    const received: unknown[][] = [];
    const store = {
      async putFaces(...args: unknown[]) {
        received.push(args);
      },
      async describeCollection(collectionId: string) {
        throw new ResourceNotFoundException(`The collection id: ${collectionId} does not exist`);
      },
    } as unknown as FaceStore;
    vi.stubGlobal('fetch', (url: string, init: RequestInit) =>
      handleStoreRpc(store, new Request(url, init)),
    );
    return { client: createRemoteFaceStore('http://server.test'), received };
  }

  it('runs the call in the server store with the same arguments', async () => {
    const { client, received } = remote();
    const face = { faceId: 'f1', vector: new Float32Array([1, 0]) } as unknown as StoredFace;
    await client.putFaces('c1', [face]);
    expect(received).toHaveLength(1);
    const [collectionId, faces] = received[0] as [string, StoredFace[]];
    expect(collectionId).toBe('c1');
    expect(faces[0]?.vector).toBeInstanceOf(Float32Array);
    expect(Array.from(faces[0]?.vector ?? [])).toEqual([1, 0]);
  });

  it('rethrows store errors as the same core exception class', async () => {
    const { client } = remote();
    const error = await client.describeCollection('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as Error).message).toBe('The collection id: nope does not exist');
  });

  it('refuses methods outside FaceStore and close()', async () => {
    const store = { close: vi.fn() } as unknown as FaceStore;
    for (const method of ['close', 'constructor', '__proto__', 'nope']) {
      const response = await handleStoreRpc(
        store,
        new Request(`http://server.test/__facekit-test/store/${method}`, {
          method: 'POST',
          body: '[]',
        }),
      );
      expect(response.status).toBe(404);
    }
    expect(store.close).not.toHaveBeenCalled();
  });
});
