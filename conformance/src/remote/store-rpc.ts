import { errorClasses, type FaceStore, type RekognitionError } from '@facekit/core';

/**
 * A test-only route that lets a test process call the `FaceStore` behind a server running in
 * another process (another runtime), as the in-process harnesses use `harness.store` to seed faces.
 * It is mounted only by the conformance test server, never by `facekit serve`.
 */
export const STORE_RPC_PREFIX = '/__facekit-test/store/';
/** `POST` here swaps in a fresh, empty store (one per scenario, like the in-process harnesses). */
export const RESET_PATH = '/__facekit-test/reset';

/** Methods a remote caller may invoke: every `FaceStore` method except `close`. */
const callable = new Set<string>([
  'createCollection',
  'deleteCollection',
  'describeCollection',
  'listCollections',
  'getTags',
  'tagCollection',
  'untagCollection',
  'putFaces',
  'getFaces',
  'findFacesByImage',
  'listFaces',
  'deleteFaces',
  'searchFaces',
  'createUser',
  'deleteUser',
  'getUser',
  'listUsers',
  'associateFaces',
  'disassociateFaces',
  'getUserVector',
  'searchUsers',
] satisfies (keyof FaceStore)[]);

/** JSON with `Float32Array`s (face vectors) kept as such. */
export function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Float32Array ? { $float32: Array.from(v) } : v,
  );
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && Array.isArray((v as { $float32?: unknown }).$float32)
      ? Float32Array.from((v as { $float32: number[] }).$float32)
      : v,
  );
}

/** Answers one store RPC: body `[...args]`, response `{ result }` or `{ error: { name, message } }`. */
export async function handleStoreRpc(store: FaceStore, request: Request): Promise<Response> {
  const method = new URL(request.url).pathname.slice(STORE_RPC_PREFIX.length);
  if (request.method !== 'POST' || !callable.has(method)) {
    return new Response(`no store method ${request.method} ${method}`, { status: 404 });
  }
  const args = decode(await request.text());
  if (!Array.isArray(args)) return new Response('body must be a JSON array', { status: 400 });
  try {
    const fn = (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
    const result = await fn.apply(store, args);
    return new Response(encode({ result }), { headers: { 'Content-Type': 'application/json' } });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    return new Response(encode({ error: { name, message } }), {
      status: 500,
      headers: { 'Content-Type': 'application/json' },
    });
  }
}

/**
 * A `FaceStore` whose methods run in the server at `baseUrl` through {@link handleStoreRpc}.
 * Store errors come back as the same core exception class when there is one. `close()` does
 * nothing: the server owns the store.
 */
export function createRemoteFaceStore(baseUrl: string): FaceStore {
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    const response = await fetch(`${baseUrl}${STORE_RPC_PREFIX}${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: encode(args),
    });
    const text = await response.text();
    if (response.status === 404) throw new Error(`store RPC ${method}: ${text}`);
    const body = decode(text) as { result?: unknown; error?: { name: string; message: string } };
    if (!body.error) return body.result;
    const ErrorClass = (errorClasses as Record<string, new (message: string) => RekognitionError>)[
      body.error.name
    ];
    throw ErrorClass
      ? new ErrorClass(body.error.message)
      : Object.assign(new Error(body.error.message), { name: body.error.name });
  };
  return new Proxy({} as FaceStore, {
    get(_target, property) {
      if (property === 'close') return async () => {};
      if (typeof property !== 'string' || !callable.has(property)) return undefined;
      return (...args: unknown[]) => call(property, args);
    },
  });
}

/** Empties the server's store (see {@link RESET_PATH}). */
export async function resetRemoteStore(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}${RESET_PATH}`, { method: 'POST' });
  if (!response.ok) throw new Error(`reset failed: ${response.status} ${await response.text()}`);
}
