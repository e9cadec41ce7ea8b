import { InvalidParameterException } from '@facekit/core';
import type { SqlQueryable } from './sql-driver.js';

/** HNSW index parameters (pgvector's names and defaults). */
export interface HnswOptions {
  /** Neighbours per graph node (`m`), 2..100. Default 16. */
  m?: number;
  /** Candidate list while building (`ef_construction`), >= 2m. Default 64. */
  efConstruction?: number;
  /**
   * Candidate list while searching (`hnsw.ef_search`), 1..1000: higher is slower and finds more
   * of the true neighbours. A query asking for more matches raises it to its limit. Default 100.
   */
  efSearch?: number;
  /**
   * Precision of the vectors in the index: `single` (pgvector `vector`, 4 bytes per dimension) or
   * `half` (`halfvec`, 2 bytes: the index takes about half the memory and disk). The table keeps
   * the full vectors and scores are computed from the index's vectors either way. Default
   * `single`. Switching builds the other index when the store opens.
   */
  precision?: 'single' | 'half';
  /**
   * Collections with fewer faces than this are searched exactly (a scan of their rows), larger
   * ones through their HNSW index. Measured on a PostgreSQL 15 server (512-d, see the README):
   * an exact search costs about as much as an HNSW one at 1000 faces and 10× more at 10 000.
   * 0 always uses the index. Default 1000.
   */
  exactBelow?: number;
}

export function hnswSettings(options: HnswOptions = {}): Required<HnswOptions> {
  const int = (value: number | undefined, fallback: number, min: number, max: number) => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidParameterException(`HNSW setting ${value} is outside ${min}..${max}.`);
    }
    return value;
  };
  const m = int(options.m, 16, 2, 100);
  const precision = options.precision ?? 'single';
  if (precision !== 'single' && precision !== 'half') {
    throw new InvalidParameterException(`HNSW precision ${precision} is not single or half.`);
  }
  return {
    m,
    efConstruction: int(options.efConstruction, 64, 2 * m, 1000),
    efSearch: int(options.efSearch, 100, 1, 1000),
    precision,
    exactBelow: int(options.exactBelow, 1000, 0, Number.MAX_SAFE_INTEGER),
  };
}

export function versionParts(version: string): number[] {
  return version.split('.').map((p) => Number.parseInt(p, 10) || 0);
}

/** `faces_hnsw_<seq>` (single precision) or `faces_hnsw_half_<seq>`. */
export function hnswIndexName(collectionSeq: number, precision: 'single' | 'half'): string {
  return `faces_hnsw_${precision === 'half' ? 'half_' : ''}${collectionSeq}`;
}

/** The indexed expression, repeated verbatim by searches so the planner matches the index. */
export function indexedEmbedding(
  dimension: number,
  precision: 'single' | 'half',
  column = 'embedding',
) {
  return precision === 'half'
    ? `${column}::halfvec(${dimension})`
    : `${column}::vector(${dimension})`;
}

/**
 * The partial HNSW index of one collection. Its expression casts to the collection's dimension
 * (`vector(512)`): an HNSW index needs a fixed dimension, the column has none. Queries repeat
 * the same expression and the same literal collection number so the planner can use it.
 */
export function hnswIndexSql(
  schema: string,
  collectionSeq: number,
  dimension: number,
  hnsw: Required<HnswOptions>,
): string {
  const ops = hnsw.precision === 'half' ? 'halfvec_ip_ops' : 'vector_ip_ops';
  return `CREATE INDEX IF NOT EXISTS ${hnswIndexName(collectionSeq, hnsw.precision)} ON ${schema}.faces
    USING hnsw ((${indexedEmbedding(dimension, hnsw.precision)}) ${ops})
    WITH (m = ${hnsw.m}, ef_construction = ${hnsw.efConstruction})
    WHERE collection_seq = ${collectionSeq}`;
}

export async function createMissingHnswIndexes(
  tx: SqlQueryable,
  schema: string,
  hnsw: Required<HnswOptions>,
): Promise<void> {
  const rows = await tx.query<{ seq: string | number; dimension: number }>(
    `SELECT c.seq, c.dimension FROM ${schema}.collections c WHERE c.dimension IS NOT NULL
     AND to_regclass($1 || '.' || $2 || c.seq) IS NULL`,
    [schema, hnsw.precision === 'half' ? 'faces_hnsw_half_' : 'faces_hnsw_'],
  );
  for (const row of rows) {
    await tx.query(hnswIndexSql(schema, Number(row.seq), row.dimension, hnsw));
  }
}
