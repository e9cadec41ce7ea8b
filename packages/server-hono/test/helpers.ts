import { FaceService } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { expect } from 'vitest';
import { type CreateAppOptions, createApp } from '../src/index.js';

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function makeApp(options: Partial<CreateAppOptions> = {}) {
  const service = new FaceService({ store: createMemoryFaceStore() });
  return createApp({ service, auth: { mode: 'none' }, ...options });
}

export type TestApp = ReturnType<typeof makeApp>;

/** One AWS JSON 1.1 call, as the SDK sends it. */
export function call(
  app: TestApp,
  operation: string,
  body: unknown = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    app.request('/', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `RekognitionService.${operation}`,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** Checks the documented error shape and returns the body. */
export async function expectAwsError(
  response: Response,
  status: number,
  name: string,
): Promise<{ __type: string; Code: string; Logref: string; Message: string }> {
  const text = await response.text();
  const body = JSON.parse(text);
  expect({ status: response.status, body }).toMatchObject({
    status,
    body: { __type: name, Code: name },
  });
  expect(Object.keys(body)).toEqual(['__type', 'Code', 'Logref', 'Message']);
  expect(body.Logref).toMatch(UUID_V4);
  expect(typeof body.Message).toBe('string');
  expect(body.Message.length).toBeGreaterThan(0);
  expect(response.headers.get('x-amzn-ErrorType')).toBe(name);
  expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  expect(response.headers.get('x-amzn-RequestId')).toMatch(UUID_V4);
  expect(response.headers.get('date')).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  return body;
}
