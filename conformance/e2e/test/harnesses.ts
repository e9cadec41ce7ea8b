import type { ApiHarness } from '@facekit/conformance/api';
import { createSdkFrontend, createServiceFrontend } from '@facekit/conformance/api';
import {
  type ChildServer,
  createRemoteFaceStore,
  resetRemoteStore,
} from '@facekit/conformance/remote';
import { FaceService, type FaceStore } from '@facekit/core';

/** SigV4 with the key pair `createSdkFrontend` signs with, acting for `accountId`. */
export function sdkFrontendAuth(accountId: string) {
  return {
    mode: 'sigv4' as const,
    accessKeys: [
      { accessKeyId: 'AKIDFACEKITTEST', secretAccessKey: 'facekit-test-secret', accountId },
    ],
  };
}

/** The core service in-process: the reference frontend. */
export async function coreServiceHarness(store: FaceStore): Promise<ApiHarness> {
  const service = new FaceService({ store, region: 'eu-west-1', accountId: '123456789012' });
  return {
    frontend: createServiceFrontend(service),
    store,
    region: 'eu-west-1',
    accountId: '123456789012',
    close: () => store.close(),
  };
}

/**
 * The real @aws-sdk/client-rekognition against the HTTP server on a random loopback port:
 * proves the wire protocol, not just the service.
 */
export async function sdkServerHarness(
  store: FaceStore,
  cleanup: () => void = () => {},
): Promise<ApiHarness> {
  // Imported here so that a server package that does not load fails only this frontend.
  const { serve } = await import('@facekit/server-hono/node');
  const service = new FaceService({ store, region: 'us-west-2', accountId: '210987654321' });
  // Signed requests are verified: the SDK frontend's own key pair, for this account.
  const server = await serve({
    service,
    port: 0,
    hostname: '127.0.0.1',
    auth: sdkFrontendAuth('210987654321'),
  });
  const frontend = createSdkFrontend({ endpoint: server.url, region: 'us-west-2' });
  return {
    frontend,
    store,
    region: 'us-west-2',
    accountId: '210987654321',
    async close() {
      frontend.client.destroy();
      await server.close();
      await store.close();
      cleanup();
    },
  };
}

/**
 * The real SDK against a server running in a child process on another runtime
 * (conformance/e2e/server/test-server.ts): `store` reaches the server's memory store through its
 * test-only store routes, and every scenario starts from a fresh, empty store.
 */
export async function childServerHarness(server: ChildServer): Promise<ApiHarness> {
  await resetRemoteStore(server.url);
  const frontend = createSdkFrontend({ endpoint: server.url, region: 'us-west-2' });
  return {
    frontend,
    store: createRemoteFaceStore(server.url),
    region: 'us-west-2',
    accountId: '210987654321',
    async close() {
      frontend.client.destroy();
    },
  };
}
