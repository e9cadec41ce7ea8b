export {
  type CitusCluster,
  type PostgresServer,
  pgBinDir,
  postgresUnavailableReason,
  type StartPostgresOptions,
  sharedDir,
  startCitusCluster,
  startPostgres,
} from './clusters.js';
export { type TestPostgres, useTestPostgres } from './test-postgres.js';
