import { describe, expect, it } from 'vitest';
import { postgresUnavailableReason, startCitusCluster, startPostgres } from '../src/index.js';

const noPostgres = postgresUnavailableReason();
const noCitus = postgresUnavailableReason({ citus: true });

describe.skipIf(noPostgres)(
  `a throwaway PostgreSQL server${noPostgres ? ` (SKIPPED: ${noPostgres})` : ''}`,
  () => {
    it('runs pgvector 0.8, stops (as a crash too) and starts again with its data', async () => {
      const server = await startPostgres();
      try {
        const [ext] = await server.query<{ extversion: string }>(
          "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
        );
        expect(ext.extversion).toBe('0.8.6');
        await server.query('CREATE TABLE t (v vector(3))');
        await server.query("INSERT INTO t VALUES ('[1,2,3]')");
        await server.stop('immediate');
        expect(await server.running()).toBe(false);
        await expect(server.query('SELECT 1')).rejects.toThrow();
        await server.start();
        const rows = await server.query<{ d: number }>("SELECT v <#> '[1,0,0]' AS d FROM t");
        expect(rows).toEqual([{ d: -1 }]);
      } finally {
        await server.close();
      }
    }, 120_000);
  },
);

describe.skipIf(noCitus)(
  `a throwaway Citus cluster${noCitus ? ` (SKIPPED: ${noCitus})` : ''}`,
  () => {
    it('has a coordinator and two workers that hold the shards of a distributed table', async () => {
      const cluster = await startCitusCluster();
      try {
        const nodes = await cluster.coordinator.query(
          'SELECT * FROM citus_get_active_worker_nodes()',
        );
        expect(nodes).toHaveLength(2);
        await cluster.coordinator.query('CREATE TABLE items (id bigint PRIMARY KEY, v vector(2))');
        await cluster.coordinator.query(
          "SELECT create_distributed_table('items', 'id', shard_count => 4)",
        );
        await cluster.coordinator.query(
          "INSERT INTO items SELECT i, ('[' || i || ',1]')::vector FROM generate_series(1, 100) i",
        );
        const placements = await cluster.coordinator.query<{ nodeport: number }>(
          "SELECT DISTINCT nodeport FROM citus_shards WHERE table_name = 'items'::regclass",
        );
        expect(placements.map((p) => Number(p.nodeport)).sort()).toEqual(
          cluster.workers.map((w) => w.port).sort(),
        );
        const [top] = await cluster.coordinator.query<{ id: string }>(
          "SELECT id FROM items ORDER BY v <#> '[1,0]' LIMIT 1",
        );
        expect(Number(top.id)).toBe(100);
      } finally {
        await cluster.close();
      }
    }, 180_000);
  },
);
