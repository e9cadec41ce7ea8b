import { resolve } from 'node:path';
import {
  type ImageObjectsConfig,
  type ImageObjectsFlags,
  resolveImageObjectsConfig,
} from './image-objects.js';
import { UsageError } from './usage-error.js';

export type StoreKind = 'sqlite' | 'memory' | 'faiss' | 'postgres';
/** The faiss store's index: exact (`flat`) or approximate (`hnsw`). */
export type FaissIndexKind = 'flat' | 'hnsw';
/**
 * The face index of `--store sqlite`: `exact` scans every face, `hnsw` keeps an HNSW graph per
 * collection, `auto` switches a collection to HNSW once it reaches `hnswThreshold` faces.
 */
export type VectorIndexKind = 'exact' | 'hnsw' | 'auto';
/** How the HNSW index stores vectors (4, 2 or 1 bytes per dimension). */
export type HnswQuantization = 'f32' | 'f16' | 'i8';
/** How the postgres store searches: exact scans, or an HNSW index per collection. */
export type PgSearch = 'exact' | 'hnsw' | 'hnsw-half';
export type LogLevel = 'silent' | 'info' | 'debug';
export type InferenceRuntime = 'node' | 'web';
/** `auto`: SigV4 when access keys are configured, else none on loopback (refused elsewhere). */
export type AuthMode = 'auto' | 'sigv4' | 'none';

/** Everything `facekit serve` needs, resolved from flags, environment and defaults. */
export interface ServeConfig {
  port: number;
  host: string;
  store: StoreKind;
  /** Absolute directory of persistent stores. */
  dataDir: string;
  /** Index of `--store faiss`. */
  faissIndex: FaissIndexKind;
  /** Face index of `--store sqlite`. */
  vectorIndex: VectorIndexKind;
  /** Vectors of that HNSW index. */
  hnswQuantization: HnswQuantization;
  /** Faces from which `vectorIndex: 'auto'` uses HNSW for a collection. */
  hnswThreshold: number;
  /** PostgreSQL server of `--store postgres` (absent: embedded PGlite under `dataDir`). */
  databaseUrl?: string;
  /** Search of `--store postgres`. */
  pgSearch: PgSearch;
  region: string;
  accountId: string;
  logLevel: LogLevel;
  /** Face model version of new collections (`none`: no neural pipeline, image operations refused). */
  faceModel: string;
  runtime: InferenceRuntime;
  /**
   * Worker threads that decode and run the face models (`--analyzer-workers`): `auto` (one per
   * core, at most 8) or a count; 0 runs them on the main thread.
   */
  analyzerWorkers: number | 'auto';
  auth: AuthMode;
  /** Absolute path of the access key file (JSON or INI), if any. */
  credentialsFile?: string;
  /** Lets `--auth none` listen on a non-loopback interface. */
  allowRemoteNoAuth: boolean;
  /** Image operations running at once. */
  imageConcurrency: number;
  /** Image operations waiting for a slot before `ThrottlingException`. */
  imageQueueLength: number;
  /** Keep IndexFaces source images (for `collections reindex`); off as in Rekognition. */
  keepSourceImages: boolean;
  /** Serves the web console at `/console/`. */
  console: boolean;
  /** Where `Image.S3Object` is read from (`--s3-*`, image-objects.ts). */
  imageObjects: ImageObjectsConfig;
}

/** Raw string values of the `serve` flags, as parsed (absent when not given). */
export interface ServeFlags {
  port?: string;
  host?: string;
  store?: string;
  'data-dir'?: string;
  'faiss-index'?: string;
  'vector-index'?: string;
  'hnsw-quantization'?: string;
  'hnsw-threshold'?: string;
  'database-url'?: string;
  'pg-search'?: string;
  region?: string;
  'account-id'?: string;
  'log-level'?: string;
  'face-model'?: string;
  runtime?: string;
  'analyzer-workers'?: string;
  auth?: string;
  'credentials-file'?: string;
  /** A boolean flag; `true` when given (its variable takes `1`/`true`). */
  'allow-remote-no-auth'?: string | boolean;
  'image-concurrency'?: string;
  'image-queue-length'?: string;
  /** A boolean flag; `true` when given (its variable takes `1`/`true`). */
  'keep-source-images'?: string | boolean;
  /** A boolean flag, like `allow-remote-no-auth`. */
  console?: string | boolean;
}

/** Each flag and the environment variable that provides it when the flag is absent. */
export const serveEnvVars = {
  port: 'FACEKIT_PORT',
  host: 'FACEKIT_HOST',
  store: 'FACEKIT_STORE',
  'data-dir': 'FACEKIT_DATA_DIR',
  'faiss-index': 'FACEKIT_FAISS_INDEX',
  'vector-index': 'FACEKIT_VECTOR_INDEX',
  'hnsw-quantization': 'FACEKIT_HNSW_QUANTIZATION',
  'hnsw-threshold': 'FACEKIT_HNSW_THRESHOLD',
  'database-url': 'FACEKIT_DATABASE_URL',
  'pg-search': 'FACEKIT_PG_SEARCH',
  region: 'FACEKIT_REGION',
  'account-id': 'FACEKIT_ACCOUNT_ID',
  'log-level': 'FACEKIT_LOG_LEVEL',
  'face-model': 'FACEKIT_FACE_MODEL',
  runtime: 'FACEKIT_RUNTIME',
  'analyzer-workers': 'FACEKIT_ANALYZER_WORKERS',
  auth: 'FACEKIT_AUTH',
  'credentials-file': 'FACEKIT_CREDENTIALS_FILE',
  'allow-remote-no-auth': 'FACEKIT_ALLOW_REMOTE_NO_AUTH',
  'image-concurrency': 'FACEKIT_IMAGE_CONCURRENCY',
  'image-queue-length': 'FACEKIT_IMAGE_QUEUE_LENGTH',
  'keep-source-images': 'FACEKIT_KEEP_SOURCE_IMAGES',
  console: 'FACEKIT_CONSOLE',
} as const satisfies Record<keyof ServeFlags, string>;

export const serveDefaults = {
  port: '8080',
  host: '127.0.0.1',
  store: 'sqlite',
  'data-dir': './data',
  'faiss-index': 'flat',
  'vector-index': 'exact',
  'hnsw-quantization': 'i8',
  'hnsw-threshold': '50000',
  'database-url': '',
  'pg-search': 'exact',
  region: 'us-east-1',
  'account-id': '000000000000',
  'log-level': 'info',
  'face-model': '1.0',
  runtime: 'node',
  'analyzer-workers': 'auto',
  auth: 'auto',
  'credentials-file': '',
  'allow-remote-no-auth': 'false',
  'image-concurrency': '2',
  'image-queue-length': '16',
  'keep-source-images': 'false',
  console: 'false',
} as const satisfies Required<Record<keyof ServeFlags, string>>;

const STORES: readonly StoreKind[] = ['sqlite', 'memory', 'faiss', 'postgres'];
const FAISS_INDEXES: readonly FaissIndexKind[] = ['flat', 'hnsw'];
const VECTOR_INDEXES: readonly VectorIndexKind[] = ['exact', 'hnsw', 'auto'];
const QUANTIZATIONS: readonly HnswQuantization[] = ['i8', 'f16', 'f32'];
const PG_SEARCHES: readonly PgSearch[] = ['exact', 'hnsw', 'hnsw-half'];
const LOG_LEVELS: readonly LogLevel[] = ['silent', 'info', 'debug'];
const RUNTIMES: readonly InferenceRuntime[] = ['node', 'web'];
const AUTH_MODES: readonly AuthMode[] = ['auto', 'sigv4', 'none'];

/**
 * Flags win over `FACEKIT_*` variables, which win over defaults. Empty variables count as unset.
 * @throws {UsageError} naming the flag or variable that holds a bad value.
 */
export function resolveServeConfig(
  flags: ServeFlags & ImageObjectsFlags,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): ServeConfig {
  const pick = (key: keyof ServeFlags): { value: string; source: string } => {
    const flag = flags[key];
    if (flag !== undefined) return { value: String(flag), source: `--${key}` };
    const fromEnv = env[serveEnvVars[key]];
    if (fromEnv !== undefined && fromEnv !== '')
      return { value: fromEnv, source: serveEnvVars[key] };
    return { value: serveDefaults[key], source: 'default' };
  };
  const invalid = (key: keyof ServeFlags, expected: string): never => {
    const { value, source } = pick(key);
    throw new UsageError(`invalid ${source} '${value}': expected ${expected}`);
  };

  const port = pick('port').value;
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) invalid('port', 'an integer 0..65535');

  const host = pick('host').value;
  if (host.trim() === '' || /[\s/]/.test(host)) invalid('host', 'a hostname or IP address');

  const store = pick('store').value;
  if (!STORES.includes(store as StoreKind)) invalid('store', STORES.join(', '));
  const faissIndex = pick('faiss-index').value;
  if (!FAISS_INDEXES.includes(faissIndex as FaissIndexKind))
    invalid('faiss-index', FAISS_INDEXES.join(' or '));

  const vectorIndex = pick('vector-index').value;
  if (!VECTOR_INDEXES.includes(vectorIndex as VectorIndexKind))
    invalid('vector-index', VECTOR_INDEXES.join(', '));
  const hnswQuantization = pick('hnsw-quantization').value;
  if (!QUANTIZATIONS.includes(hnswQuantization as HnswQuantization))
    invalid('hnsw-quantization', QUANTIZATIONS.join(', '));
  const hnswThreshold = pick('hnsw-threshold').value;
  if (!/^\d{1,10}$/.test(hnswThreshold) || Number(hnswThreshold) < 1)
    invalid('hnsw-threshold', 'a number of faces, at least 1');

  const dataDir = pick('data-dir').value;
  if (dataDir.trim() === '') invalid('data-dir', 'a directory');

  const databaseUrl = pick('database-url').value;
  if (databaseUrl !== '' && !/^postgres(ql)?:\/\//.test(databaseUrl))
    invalid('database-url', 'a postgres:// URL');
  const pgSearch = pick('pg-search').value;
  if (!PG_SEARCHES.includes(pgSearch as PgSearch)) invalid('pg-search', 'exact, hnsw or hnsw-half');

  const region = pick('region').value;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region))
    invalid('region', 'a region name such as us-east-1');

  const accountId = pick('account-id').value;
  if (!/^\d{12}$/.test(accountId)) invalid('account-id', '12 digits');

  const logLevel = pick('log-level').value;
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) invalid('log-level', LOG_LEVELS.join(', '));

  const faceModel = pick('face-model').value;
  if (!/^(none|[0-9.]+)$/.test(faceModel))
    invalid('face-model', 'a face model version such as 1.0, or none');

  const runtime = pick('runtime').value;
  if (!RUNTIMES.includes(runtime as InferenceRuntime)) invalid('runtime', RUNTIMES.join(' or '));

  const analyzerWorkers = pick('analyzer-workers').value;
  if (analyzerWorkers !== 'auto' && !/^\d{1,2}$/.test(analyzerWorkers))
    invalid('analyzer-workers', 'auto or an integer 0..99');

  const auth = pick('auth').value;
  if (!AUTH_MODES.includes(auth as AuthMode)) invalid('auth', AUTH_MODES.join(', '));

  const credentialsFile = pick('credentials-file').value;

  const allowRemote = pick('allow-remote-no-auth').value.toLowerCase();
  if (!['true', 'false', '1', '0'].includes(allowRemote))
    invalid('allow-remote-no-auth', 'true or false');

  const consoleFlag = pick('console').value.toLowerCase();
  if (!['true', 'false', '1', '0'].includes(consoleFlag)) invalid('console', 'true or false');

  const imageConcurrency = pick('image-concurrency').value;
  if (!/^\d{1,4}$/.test(imageConcurrency) || Number(imageConcurrency) < 1)
    invalid('image-concurrency', 'an integer 1..9999');
  const imageQueueLength = pick('image-queue-length').value;
  if (!/^\d{1,5}$/.test(imageQueueLength)) invalid('image-queue-length', 'an integer 0..99999');

  const keep = pick('keep-source-images').value.toLowerCase();
  if (!['true', 'false', '1', '0'].includes(keep)) invalid('keep-source-images', 'true or false');

  return {
    port: Number(port),
    host,
    store: store as StoreKind,
    dataDir: resolve(cwd, dataDir),
    faissIndex: faissIndex as FaissIndexKind,
    vectorIndex: vectorIndex as VectorIndexKind,
    hnswQuantization: hnswQuantization as HnswQuantization,
    hnswThreshold: Number(hnswThreshold),
    ...(databaseUrl === '' ? {} : { databaseUrl }),
    pgSearch: pgSearch as PgSearch,
    region,
    accountId,
    logLevel: logLevel as LogLevel,
    faceModel,
    runtime: runtime as InferenceRuntime,
    analyzerWorkers: analyzerWorkers === 'auto' ? 'auto' : Number(analyzerWorkers),
    auth: auth as AuthMode,
    ...(credentialsFile === '' ? {} : { credentialsFile: resolve(cwd, credentialsFile) }),
    allowRemoteNoAuth: allowRemote === 'true' || allowRemote === '1',
    imageConcurrency: Number(imageConcurrency),
    imageQueueLength: Number(imageQueueLength),
    keepSourceImages: keep === 'true' || keep === '1',
    console: consoleFlag === 'true' || consoleFlag === '1',
    imageObjects: resolveImageObjectsConfig(flags, env, cwd),
  };
}
