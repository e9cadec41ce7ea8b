/**
 * The HTTP server of the cross-runtime conformance tests and `pnpm bench:http`: `createApp` over a
 * memory store, served by the entry point of the runtime it runs on (`node`, `bun` or `deno run`),
 * plus the test-only store routes of ./store-rpc.ts. Prints `listening on <url>` once ready; stops
 * on SIGTERM/SIGINT. Usage: `see runtime-servers.ts`.
 */
import process from 'node:process';
import { parseArgs } from 'node:util';
import { handleStoreRpc, RESET_PATH, STORE_RPC_PREFIX } from '@facekit/conformance/remote';
import { FaceService, type FaceStore } from '@facekit/core';
import { createApp } from '@facekit/server-hono';
import { createMemoryFaceStore } from '@facekit/storage-memory';

// The same region and account as the in-process SDK harness (test/harnesses.ts).
const TEST_SERVER_REGION = 'us-west-2';
const TEST_SERVER_ACCOUNT_ID = '210987654321';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { port: { type: 'string', default: '0' } },
});

const runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node';
const { serve } =
  runtime === 'bun'
    ? await import('@facekit/server-hono/bun')
    : runtime === 'deno'
      ? await import('@facekit/server-hono/deno')
      : await import('@facekit/server-hono/node');

function build(store: FaceStore) {
  const service = new FaceService({
    store,
    region: TEST_SERVER_REGION,
    accountId: TEST_SERVER_ACCOUNT_ID,
  });
  return {
    store,
    app: createApp({ service, auth: { mode: 'none', accountId: TEST_SERVER_ACCOUNT_ID } }),
  };
}

let current = build(createMemoryFaceStore());
const server = await serve({
  port: Number(values.port),
  app: {
    async fetch(request: Request) {
      const { pathname } = new URL(request.url);
      if (pathname.startsWith(STORE_RPC_PREFIX)) return handleStoreRpc(current.store, request);
      if (pathname === RESET_PATH && request.method === 'POST') {
        const previous = current;
        current = build(createMemoryFaceStore());
        await previous.store.close();
        return new Response(null, { status: 204 });
      }
      return current.app.fetch(request);
    },
  },
});
process.stdout.write(`${runtime} listening on ${server.url}\n`);

const stop = () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
