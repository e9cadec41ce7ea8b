export const mainHelp = `facekit - a self-hosted server for the Amazon Rekognition face API

Usage:
  facekit <command> [options]

Commands:
  serve        Start the Rekognition-compatible HTTP server

Options:
  -h, --help       Show help (also: facekit <command> --help)
  -v, --version    Print the version

Examples:
  facekit serve
  facekit serve --port 9000 --store memory
`;

export const serveHelp = `facekit serve - start the Rekognition-compatible HTTP server (AWS JSON 1.1)

Usage:
  facekit serve [options]

Options (each also read from an environment variable; flags win):
  --port <n>              Port to listen on, 0 = any free port       FACEKIT_PORT       [8080]
  --host <addr>           Interface to bind; 0.0.0.0 for all          FACEKIT_HOST       [127.0.0.1]
  --store <kind>          sqlite (persistent) or memory               FACEKIT_STORE      [sqlite]
  --data-dir <dir>        Directory of <dir>/facekit.sqlite           FACEKIT_DATA_DIR   [./data]
  --region <name>         Region used in collection ARNs              FACEKIT_REGION     [us-east-1]
  --account-id <12 digits> Account id used in collection ARNs         FACEKIT_ACCOUNT_ID [000000000000]
  --log-level <level>     info, debug or silent                       FACEKIT_LOG_LEVEL  [info]
  --face-model <version>  face model of new collections, or none      FACEKIT_FACE_MODEL [1.0]
  --runtime <name>        node (onnxruntime-node) or web (wasm)       FACEKIT_RUNTIME    [node]
  --auth <mode>           sigv4, none, or auto: sigv4 when keys are   FACEKIT_AUTH       [auto]
                          configured, else none on loopback only
  --credentials-file <f>  access keys, JSON or INI (see README)        FACEKIT_CREDENTIALS_FILE
                          (also FACEKIT_ACCESS_KEYS=<id>:<secret>[:<account>],...,
                          or AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY for one key)
  --allow-remote-no-auth  allow --auth none on a non-loopback host    FACEKIT_ALLOW_REMOTE_NO_AUTH
  --image-concurrency <n> image operations running at once            FACEKIT_IMAGE_CONCURRENCY [2]
  --image-queue-length <n> image operations waiting, then Throttling  FACEKIT_IMAGE_QUEUE_LENGTH [16]
  -h, --help              Show this help

Examples:
  facekit serve
  facekit serve --port 9000 --store memory --log-level debug
  facekit serve --host 0.0.0.0 --credentials-file /etc/facekit/keys.ini

  # on loopback without keys, any credentials work (authentication is off):
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \\
    aws rekognition create-collection --collection-id demo \\
    --endpoint-url http://127.0.0.1:8080 --region us-east-1

Stop with Ctrl-C (SIGINT) or SIGTERM: in-flight requests finish, then the store is closed.
`;
