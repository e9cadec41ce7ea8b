import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { resolveServeConfig, runCli, UsageError } from '../src/index.js';
import { fakeIo } from './io.js';

describe('resolveServeConfig', () => {
  it('has documented defaults', () => {
    expect(resolveServeConfig({}, {}, '/srv')).toEqual({
      port: 8080,
      host: '127.0.0.1',
      store: 'sqlite',
      dataDir: '/srv/data',
      faissIndex: 'flat',
      vectorIndex: 'exact',
      hnswQuantization: 'i8',
      hnswThreshold: 50000,
      pgSearch: 'exact',
      region: 'us-east-1',
      accountId: '000000000000',
      logLevel: 'info',
      faceModel: '1.0',
      runtime: 'node',
      analyzerWorkers: 'auto',
      auth: 'auto',
      allowRemoteNoAuth: false,
      imageConcurrency: 2,
      imageQueueLength: 16,
      keepSourceImages: false,
      console: false,
      imageObjects: { forcePathStyle: false, bucketDirs: {} },
    });
  });

  it('reads every FACEKIT_* variable', () => {
    const env = {
      FACEKIT_PORT: '9000',
      FACEKIT_HOST: '0.0.0.0',
      FACEKIT_STORE: 'memory',
      FACEKIT_DATA_DIR: '/var/lib/facekit',
      FACEKIT_FAISS_INDEX: 'hnsw',
      FACEKIT_VECTOR_INDEX: 'auto',
      FACEKIT_HNSW_QUANTIZATION: 'f16',
      FACEKIT_HNSW_THRESHOLD: '50000',
      FACEKIT_DATABASE_URL: 'postgres://facekit@db/facekit',
      FACEKIT_PG_SEARCH: 'hnsw',
      FACEKIT_REGION: 'eu-central-1',
      FACEKIT_ACCOUNT_ID: '123456789012',
      FACEKIT_LOG_LEVEL: 'debug',
      FACEKIT_FACE_MODEL: 'none',
      FACEKIT_RUNTIME: 'web',
      FACEKIT_ANALYZER_WORKERS: '0',
      FACEKIT_AUTH: 'sigv4',
      FACEKIT_CREDENTIALS_FILE: 'keys.ini',
      FACEKIT_ALLOW_REMOTE_NO_AUTH: '1',
      FACEKIT_IMAGE_CONCURRENCY: '4',
      FACEKIT_IMAGE_QUEUE_LENGTH: '0',
      FACEKIT_KEEP_SOURCE_IMAGES: 'true',
      FACEKIT_CONSOLE: '1',
      FACEKIT_S3_ENDPOINT: 'http://127.0.0.1:9000',
      FACEKIT_S3_REGION: 'eu-west-1',
      FACEKIT_S3_FORCE_PATH_STYLE: 'true',
      FACEKIT_S3_ACCESS_KEY_ID: 'id',
      FACEKIT_S3_SECRET_ACCESS_KEY: 'secret',
      FACEKIT_S3_BUCKET_DIRS: 'photos=pics,cams=/srv/cams',
    };
    expect(resolveServeConfig({}, env, '/srv')).toEqual({
      port: 9000,
      host: '0.0.0.0',
      store: 'memory',
      dataDir: '/var/lib/facekit',
      faissIndex: 'hnsw',
      vectorIndex: 'auto',
      hnswQuantization: 'f16',
      hnswThreshold: 50000,
      databaseUrl: 'postgres://facekit@db/facekit',
      pgSearch: 'hnsw',
      region: 'eu-central-1',
      accountId: '123456789012',
      logLevel: 'debug',
      faceModel: 'none',
      runtime: 'web',
      analyzerWorkers: 0,
      auth: 'sigv4',
      credentialsFile: '/srv/keys.ini',
      allowRemoteNoAuth: true,
      imageConcurrency: 4,
      imageQueueLength: 0,
      keepSourceImages: true,
      console: true,
      imageObjects: {
        endpoint: 'http://127.0.0.1:9000',
        region: 'eu-west-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
        bucketDirs: { photos: '/srv/pics', cams: '/srv/cams' },
      },
    });
  });

  it('takes --s3-bucket-dir repeatedly and refuses half-given S3 settings', () => {
    const config = resolveServeConfig(
      { 's3-bucket-dir': ['a1a=x', 'b2b=/y'], 's3-force-path-style': true },
      { FACEKIT_S3_BUCKET_DIRS: 'ignored=/z' },
      '/srv',
    );
    expect(config.imageObjects).toEqual({
      forcePathStyle: true,
      bucketDirs: { a1a: '/srv/x', b2b: '/y' },
    });
    expect(() => resolveServeConfig({ 's3-bucket-dir': ['a1a=x', 'a1a=y'] }, {})).toThrow(
      /bucket a1a mapped twice/,
    );
    expect(() => resolveServeConfig({ 's3-access-key-id': 'id' }, {})).toThrow(/go together/);
    expect(() => resolveServeConfig({ 's3-endpoint': 'localhost:9000' }, {})).toThrow(
      /invalid --s3-endpoint 'localhost:9000': expected an http\(s\) URL/,
    );
  });

  it('lets flags win over variables, and ignores empty variables', () => {
    const env = { FACEKIT_PORT: '9000', FACEKIT_STORE: 'memory', FACEKIT_REGION: '' };
    const config = resolveServeConfig({ port: '0', 'data-dir': 'rel' }, env, '/srv');
    expect(config).toMatchObject({
      port: 0,
      store: 'memory',
      region: 'us-east-1',
      dataDir: '/srv/rel',
    });
  });

  it.each([
    [{ port: '70000' }, {}, "invalid --port '70000'"],
    [{ port: 'abc' }, {}, "invalid --port 'abc'"],
    [{}, { FACEKIT_PORT: '-1' }, "invalid FACEKIT_PORT '-1'"],
    [{ store: 'oracle' }, {}, "invalid --store 'oracle': expected sqlite, memory, faiss, postgres"],
    [{ 'faiss-index': 'ivf' }, {}, "invalid --faiss-index 'ivf': expected flat or hnsw"],
    [{ 'vector-index': 'ivf' }, {}, "invalid --vector-index 'ivf': expected exact, hnsw, auto"],
    [{}, { FACEKIT_HNSW_QUANTIZATION: 'b1' }, "invalid FACEKIT_HNSW_QUANTIZATION 'b1'"],
    [{ 'hnsw-threshold': '0' }, {}, "invalid --hnsw-threshold '0'"],
    [{ 'database-url': 'mysql://db' }, {}, "invalid --database-url 'mysql://db'"],
    [
      {},
      { FACEKIT_PG_SEARCH: 'ivf' },
      "invalid FACEKIT_PG_SEARCH 'ivf': expected exact, hnsw or hnsw-half",
    ],
    [{}, { FACEKIT_LOG_LEVEL: 'loud' }, "invalid FACEKIT_LOG_LEVEL 'loud'"],
    [{ 'account-id': '42' }, {}, "invalid --account-id '42': expected 12 digits"],
    [{ region: 'US East' }, {}, "invalid --region 'US East'"],
    [{ auth: 'basic' }, {}, "invalid --auth 'basic': expected auto, sigv4, none"],
    [{ 'image-concurrency': '0' }, {}, "invalid --image-concurrency '0'"],
    [{ 'analyzer-workers': 'all' }, {}, "invalid --analyzer-workers 'all': expected auto or"],
    [{}, { FACEKIT_KEEP_SOURCE_IMAGES: 'yes' }, "invalid FACEKIT_KEEP_SOURCE_IMAGES 'yes'"],
    [{}, { FACEKIT_ALLOW_REMOTE_NO_AUTH: 'yes' }, 'invalid FACEKIT_ALLOW_REMOTE_NO_AUTH'],
    [{}, { FACEKIT_CONSOLE: 'on' }, "invalid FACEKIT_CONSOLE 'on': expected true or false"],
  ])('rejects %o / %o', (flags, env, message) => {
    expect(() => resolveServeConfig(flags, env, '/srv')).toThrow(UsageError);
    expect(() => resolveServeConfig(flags, env, '/srv')).toThrow(message);
  });
});

describe('runCli usage', () => {
  it('prints --version', async () => {
    const t = fakeIo();
    expect(await runCli(['--version'], t.io)).toEqual({ kind: 'exit', exitCode: 0 });
    expect(t.stdout()).toBe(`${packageJson.version}\n`);
  });

  it.each([[['--help']], [['-h']], [['help']]])('prints the main help for %j', async (argv) => {
    const t = fakeIo();
    expect(await runCli(argv, t.io)).toEqual({ kind: 'exit', exitCode: 0 });
    expect(t.stdout()).toContain('facekit <command>');
    expect(t.stdout()).toContain('serve');
  });

  it.each([[['serve', '--help']], [['help', 'serve']]])(
    'prints serve help with examples for %j',
    async (argv) => {
      const t = fakeIo();
      expect(await runCli(argv, t.io)).toEqual({ kind: 'exit', exitCode: 0 });
      for (const text of ['--port', 'FACEKIT_DATA_DIR', 'Examples:', 'aws rekognition']) {
        expect(t.stdout()).toContain(text);
      }
    },
  );

  it.each([
    [['frobnicate'], "facekit: unknown command 'frobnicate' (run 'facekit --help')\n"],
    [['--frob'], "facekit: unknown option '--frob' (run 'facekit --help')\n"],
    [['serve', '--frob'], "facekit: unknown option '--frob' (run 'facekit serve --help')\n"],
    [['serve', 'extra'], "facekit: unexpected argument 'extra' (run 'facekit serve --help')\n"],
    [
      ['serve', '--port'],
      "facekit: option '--port <value>' needs a value (run 'facekit serve --help')\n",
    ],
    [['serve', '--port', 'x'], "facekit: invalid --port 'x': expected an integer 0..65535\n"],
  ])('fails %j with one line and exit code 2', async (argv, line) => {
    const t = fakeIo();
    expect(await runCli(argv, t.io)).toEqual({ kind: 'exit', exitCode: 2 });
    expect(t.stderr()).toBe(line);
    expect(t.stdout()).toBe('');
  });

  it('shows usage with exit code 2 when no command is given', async () => {
    const t = fakeIo();
    expect(await runCli([], t.io)).toEqual({ kind: 'exit', exitCode: 2 });
    expect(t.stderr()).toContain('facekit <command>');
  });
});
