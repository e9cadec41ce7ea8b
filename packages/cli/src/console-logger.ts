import type { Logger, RequestLogFields } from '@facekit/server-hono';
import type { CliIo } from './cli-io.js';
import type { LogLevel } from './serve-config.js';

/**
 * One plain-text line per event: `<ISO time> <operation> <status> <ms>ms <request id> [<error>]`.
 * `info` shows API requests and unexpected errors with their stack; `debug` adds error messages
 * and health checks; `silent` shows nothing.
 */
export function createConsoleLogger(level: LogLevel, io: Pick<CliIo, 'stdout' | 'stderr'>): Logger {
  const debug = level === 'debug';
  const line = (text: string) => `${new Date().toISOString()} ${text}\n`;
  const requestLine = (message: string, fields: Record<string, unknown> = {}) => {
    const f = fields as Partial<RequestLogFields>;
    let text = `${message} ${f.durationMs ?? '?'}ms ${f.requestId ?? '-'}`;
    // Who did it, when requests are signed: the key id, never the secret.
    if (f.accessKeyId) text += ` key=${f.accessKeyId}`;
    if (f.errorType) text += ` ${f.errorType}`;
    if (debug && f.errorMessage) text += `: ${f.errorMessage}`;
    return line(text);
  };
  if (level === 'silent') return { info() {}, error() {} };
  return {
    info(message, fields) {
      io.stdout.write(requestLine(message, fields));
    },
    debug: debug
      ? (message, fields) => {
          io.stdout.write(requestLine(message, fields));
        }
      : undefined,
    error(message, fields = {}) {
      const { requestId, operation, error, stack } = fields;
      io.stderr.write(
        line(`ERROR ${message} ${operation ?? ''} ${requestId ?? ''}: ${error ?? ''}`),
      );
      if (typeof stack === 'string') io.stderr.write(`${stack}\n`);
    },
  };
}
