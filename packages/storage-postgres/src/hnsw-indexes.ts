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
  return {
    m,
    efConstruction: int(options.efConstruction, 64, 2 * m, 1000),
    efSearch: int(options.efSearch, 100, 1, 1000),
  };
}

export function versionParts(version: string): number[] {
  return version.split('.').map((p) => Number.parseInt(p, 10) || 0);
}

export function hnswIndexName(collectionSeq: number): string {
  return `faces_hnsw_${collectionSeq}`;
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
  return `CREATE INDEX IF NOT EXISTS ${hnswIndexName(collectionSeq)} ON ${schema}.faces
    USING hnsw ((embedding::vector(${dimension})) vector_ip_ops)
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
     AND to_regclass($1 || '.faces_hnsw_' || c.seq) IS NULL`,
    [schema],
  );
  for (const row of rows) {
    await tx.query(hnswIndexSql(schema, Number(row.seq), row.dimension, hnsw));
  }
}
