/**
 * A closed-loop load generator for the AWS JSON protocol: `clients` concurrent loops, each sending
 * its next request as soon as the previous one is answered, for `durationMs`.
 */

export type LoadOperation = 'SearchFaces' | 'SearchFacesByImage' | 'IndexFaces';

export interface LoadPlan {
  url: string;
  collectionId: string;
  clients: number;
  durationMs: number;
  /** Relative weights of the operations. */
  mix: Readonly<Record<LoadOperation, number>>;
  /** Face ids to search with. */
  faceIds: readonly string[];
  /** Photos (base64) to search with and to index. */
  images: readonly string[];
  /** Seeded choice of operations and inputs, so runs are comparable. Default 1. */
  seed?: number;
}

export interface OperationStats {
  operation: LoadOperation;
  ok: number;
  /** Answered with `ThrottlingException` / `ProvisionedThroughputExceededException`: deliberate shedding. */
  throttled: number;
  /** Every other failure, by error name (`__type`, HTTP status or network error). */
  errors: Record<string, number>;
  /** Latencies of successful requests in ms, sorted. */
  latencies: number[];
}

export interface LoadReport {
  elapsedMs: number;
  operations: OperationStats[];
}

const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException']);

/** Mulberry32: a small seeded PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runLoad(plan: LoadPlan): Promise<LoadReport> {
  const operations = Object.keys(plan.mix) as LoadOperation[];
  const stats = new Map<LoadOperation, OperationStats>(
    operations.map((operation) => [
      operation,
      { operation, ok: 0, throttled: 0, errors: {}, latencies: [] },
    ]),
  );
  const total = operations.reduce((sum, op) => sum + plan.mix[op], 0);
  const next = random(plan.seed ?? 1);
  let indexed = 0;
  const pick = (): [LoadOperation, unknown] => {
    const r = next() * total;
    let cumulative = 0;
    const operation =
      operations.find((op) => {
        cumulative += plan.mix[op];
        return r < cumulative;
      }) ?? operations[0];
    const image = plan.images[Math.floor(next() * plan.images.length)];
    const faceId = plan.faceIds[Math.floor(next() * plan.faceIds.length)];
    const collection = { CollectionId: plan.collectionId };
    switch (operation) {
      case 'SearchFaces':
        return [operation, { ...collection, FaceId: faceId, MaxFaces: 10 }];
      case 'SearchFacesByImage':
        return [operation, { ...collection, Image: { Bytes: image }, MaxFaces: 10 }];
      case 'IndexFaces':
        return [
          operation,
          {
            ...collection,
            Image: { Bytes: image },
            ExternalImageId: `load-${indexed++}`,
            MaxFaces: 1,
          },
        ];
    }
  };

  const started = performance.now();
  const deadline = started + plan.durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const [operation, input] = pick();
      const s = stats.get(operation) as OperationStats;
      const t0 = performance.now();
      let failure: string | undefined;
      try {
        const response = await fetch(`${plan.url}/`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/x-amz-json-1.1',
            'X-Amz-Target': `RekognitionService.${operation}`,
          },
          body: JSON.stringify(input),
        });
        const body = (await response.json()) as { __type?: string };
        if (response.status !== 200) {
          failure = body.__type?.split('#').pop() ?? `HTTP ${response.status}`;
        }
      } catch (cause) {
        failure = cause instanceof Error ? cause.name : 'network';
      }
      if (failure === undefined) {
        s.ok++;
        s.latencies.push(performance.now() - t0);
      } else if (THROTTLING.has(failure)) {
        s.throttled++;
        // A real SDK backs off; so does this client, briefly, to not spin on rejections.
        await new Promise((r) => setTimeout(r, 20));
      } else {
        s.errors[failure] = (s.errors[failure] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: plan.clients }, client));
  const elapsedMs = performance.now() - started;
  for (const s of stats.values()) s.latencies.sort((a, b) => a - b);
  return { elapsedMs, operations: [...stats.values()] };
}

/** The `p`-quantile (0–1) of sorted values, NaN when empty. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
