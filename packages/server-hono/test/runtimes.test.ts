import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serve as serveOnBun } from '../src/bun.js';
import { serve as serveOnDeno } from '../src/deno.js';

const fixture = fileURLToPath(new URL('./fixtures/drain.ts', import.meta.url));

const commands = {
  bun: ['bun', ['--conditions=@facekit/source', fixture]],
  deno: [
    'deno',
    ['run', '-A', '--conditions=@facekit/source', '--unstable-sloppy-imports', fixture],
  ],
} as const;

describe('the Bun and Deno entry points under Node', () => {
  it.each([
    ['bun', serveOnBun, 'Bun'],
    ['deno', serveOnDeno, 'Deno'],
  ] as const)(
    '@facekit/server-hono/%s says which runtime it needs',
    async (_name, serve, needs) => {
      await expect(serve({ app: { fetch: () => new Response() }, port: 0 })).rejects.toThrow(
        new RegExp(`needs ${needs}, but this is Node v\\d+`),
      );
    },
  );
});

for (const [runtime, [command, args]] of Object.entries(commands)) {
  const available = spawnSync(command, ['--version']).status === 0;
  describe.skipIf(!available)(
    available
      ? `serve() on ${runtime} (child process)`
      : `serve() on ${runtime} (SKIPPED: ${command} not on PATH; npm i -g ${runtime === 'bun' ? 'bun@1.4.5' : 'deno@2.9.6'})`,
    () => {
      it('listens on port 0, refuses a busy port, and close() drains in-flight requests', () => {
        const result = spawnSync(command, [...args], { encoding: 'utf8', timeout: 60_000 });
        expect(result.status, result.stderr).toBe(0);
        const seen = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}');
        expect(seen.port).toBeGreaterThan(0);
        expect(seen.url).toBe(`http://127.0.0.1:${seen.port}`);
        expect(seen.health).toBe(200);
        expect(seen.busyPort).toBe('EADDRINUSE');
        expect(seen.closedBeforeRelease).toBe(false);
        expect(seen.newConnection).toBe('refused');
        expect(seen.inFlightStatus).toBe(200);
        expect(seen.inFlightBody).toEqual({ CollectionIds: ['slow'] });
        expect(seen.closed).toBe(true);
      }, 70_000);
    },
  );
}
