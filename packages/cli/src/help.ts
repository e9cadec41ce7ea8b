import type { Command } from './command.js';

export const mainHelp = `facekit - a self-hosted Amazon Rekognition face API: server and command line

Usage:
  facekit <command> [options]

Server:
  serve                     start the Rekognition-compatible HTTP server

Collections and faces:
  collections create|delete|list|describe
  index <collection> <files or folders...>   index the faces of many images (resumable)
  faces list|delete         the faces of a collection
  users create|delete|list|associate|disassociate|search
  tags list|add|remove      the tags of a collection (by id or ARN)

Images:
  detect <image>            find faces (DetectFaces); --draw out.jpg shows them
  search <collection> <files or folders...>  search a collection by the largest face of
                            each image (SearchFacesByImage), one line per file
  search-face <collection> <face-id> search a collection by face (SearchFaces)
  compare <source> <target> compare faces (CompareFaces)

Video:
  video detect <video>      the faces of a video file or s3://bucket/key, by time
                            (StartFaceDetection); a progress bar, then a summary
  video search <video> -c <collection>  who of a collection appears, from when to when
                            (StartFaceSearch)

Every command works on the local data directory that serve uses (./data, SQLite), in-process,
or against a running server with --endpoint URL (FACEKIT_ENDPOINT), with the same output:
a table on a terminal, --output json (the Rekognition response, as aws rekognition prints it)
or --output jsonl (search also csv). Photos over 5 MiB are sent as a 2048 px JPEG copy
(--no-resize refuses them). Errors are one line, "facekit: <RekognitionError>: <message>",
exit code 1 (2 for command-line mistakes).

Options:
  -h, --help       Show help (also: facekit <command> --help)
  -v, --version    Print the version

Examples:
  facekit serve
  facekit collections create family
  facekit index family ~/Pictures/family
  facekit search family party.jpg --draw party-matches.jpg
  facekit collections list --endpoint http://127.0.0.1:8080 --output json
`;

/** Help of a command group such as \`facekit users\`. */
export function groupHelp(group: string, commands: readonly Command[]): string {
  const width = Math.max(
    ...commands.map((c) => c.path.slice(1).join(' ').length + c.args.length + 1),
  );
  return (
    `facekit ${group} - subcommands\n\nUsage:\n  facekit ${group} <subcommand> [options]\n\nSubcommands:\n` +
    commands
      .map((c) => `  ${`${c.path.slice(1).join(' ')} ${c.args}`.padEnd(width + 2)}${c.summary}\n`)
      .join('') +
    `\nRun 'facekit ${group} <subcommand> --help' for options and examples.\n`
  );
}

export const serveHelp = `facekit serve - start the Rekognition-compatible HTTP server (AWS JSON 1.1)

Usage:
  facekit serve [options]

Options (each also read from an environment variable; flags win):
  --port <n>              Port to listen on, 0 = any free port       FACEKIT_PORT       [8080]
  --host <addr>           Interface to bind; 0.0.0.0 for all          FACEKIT_HOST       [127.0.0.1]
  --store <kind>          sqlite (persistent), memory, faiss          FACEKIT_STORE      [sqlite]
                          (SQLite + a faiss index; needs libfaiss, see README)
                          or postgres
  --data-dir <dir>        Directory of <dir>/facekit.sqlite           FACEKIT_DATA_DIR   [./data]
                          (postgres without a URL: <dir>/postgres, embedded PGlite)
  --faiss-index <kind>    faiss store: flat (exact) or hnsw (approx.) FACEKIT_FAISS_INDEX [flat]
  --vector-index <kind>   sqlite store's face index: exact (SIMD     FACEKIT_VECTOR_INDEX [exact]
                          scan), hnsw (approximate, a graph per
                          collection in <dir>/usearch/) or auto (hnsw
                          from --hnsw-threshold faces)
  --hnsw-quantization <q> HNSW vectors: i8, f16 or f32              FACEKIT_HNSW_QUANTIZATION [i8]
  --hnsw-threshold <n>    auto: faces from which a collection uses   FACEKIT_HNSW_THRESHOLD [50000]
                          hnsw
  --database-url <url>    postgres://user:pass@host/db for --store    FACEKIT_DATABASE_URL
                          postgres (one schema facekit_<account> each)
  --pg-search <kind>      postgres search: exact, or hnsw (an index   FACEKIT_PG_SEARCH  [exact]
                          per collection, approximate; exact under
                          1000 faces), or hnsw-half (half-precision
                          index: half the memory)
  --region <name>         Region used in collection ARNs              FACEKIT_REGION     [us-east-1]
  --account-id <12 digits> Account id used in collection ARNs         FACEKIT_ACCOUNT_ID [000000000000]
  --log-level <level>     info, debug or silent                       FACEKIT_LOG_LEVEL  [info]
  --face-model <version>  face model of new collections, or none      FACEKIT_FACE_MODEL [1.0]
  --runtime <name>        node (onnxruntime-node) or web (wasm)       FACEKIT_RUNTIME    [node]
  --analyzer-workers <n>  threads decoding and running the models:   FACEKIT_ANALYZER_WORKERS [auto]
                          auto (one per core, at most 8), or n; 0 runs them on the main thread
  --auth <mode>           sigv4, none, or auto: sigv4 when keys are   FACEKIT_AUTH       [auto]
                          configured, else none on loopback only
  --credentials-file <f>  access keys, JSON or INI (see README)        FACEKIT_CREDENTIALS_FILE
                          (also FACEKIT_ACCESS_KEYS=<id>:<secret>[:<account>],...,
                          or AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY for one key)
  --allow-remote-no-auth  allow --auth none on a non-loopback host    FACEKIT_ALLOW_REMOTE_NO_AUTH
  --image-concurrency <n> image operations running at once            FACEKIT_IMAGE_CONCURRENCY [2]
  --image-queue-length <n> image operations waiting, then Throttling  FACEKIT_IMAGE_QUEUE_LENGTH [16]
  --keep-source-images    keep IndexFaces images (<data-dir>/images/) FACEKIT_KEEP_SOURCE_IMAGES
                          so collections can be re-indexed with a new face model; off
                          as in Rekognition (an image goes when its last face goes)
  --console               serve the web console at /console/          FACEKIT_CONSOLE    [off]
  --s3-endpoint <url>     read Image.S3Object from this S3-compatible FACEKIT_S3_ENDPOINT
                          endpoint (https://s3.us-east-1.amazonaws.com for AWS) [none]
  --s3-region <name>      region of the S3 client                     FACEKIT_S3_REGION  [--region]
  --s3-force-path-style   endpoint/bucket/key URLs (MinIO, most self- FACEKIT_S3_FORCE_PATH_STYLE
                          hosted servers)
  --s3-access-key-id <id> S3 keys; default the AWS chain              FACEKIT_S3_ACCESS_KEY_ID
  --s3-secret-access-key <s>  (AWS_ACCESS_KEY_ID..., AWS_PROFILE)     FACEKIT_S3_SECRET_ACCESS_KEY
  --s3-bucket-dir <b=dir> serve bucket b from a local folder          FACEKIT_S3_BUCKET_DIRS
                          (repeatable; nothing outside the folder is  (b=dir,b2=dir2)
                          read; S3Object.Version refused); other buckets go to --s3-endpoint
  -h, --help              Show this help

Examples:
  facekit serve
  facekit serve --port 9000 --store memory --log-level debug
  facekit serve --store postgres --database-url postgres://facekit@db.internal/facekit
  facekit serve --host 0.0.0.0 --credentials-file /etc/facekit/keys.ini
  facekit serve --console           # then open http://127.0.0.1:8080/console/
  facekit serve --s3-bucket-dir photos=/srv/photos   # S3Object {Bucket: photos, Name: a.jpg}
  facekit serve --s3-endpoint http://127.0.0.1:9000 --s3-force-path-style   # MinIO

  # on loopback without keys, any credentials work (authentication is off):
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \\
    aws rekognition create-collection --collection-id demo \\
    --endpoint-url http://127.0.0.1:8080 --region us-east-1

Stored video (StartFaceDetection, StartFaceSearch on Video.S3Object) needs ffmpeg and ffprobe on
the PATH; jobs and their results are kept in <data-dir>/video-jobs/ (in memory with --store
memory), and a job a restart interrupted is FAILED.

Stop with Ctrl-C (SIGINT) or SIGTERM: in-flight requests finish, then the store is closed.
`;
