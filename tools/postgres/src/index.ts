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
