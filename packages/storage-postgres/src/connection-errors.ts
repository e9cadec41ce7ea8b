/**
 * What a lost or refused PostgreSQL connection looks like through `pg`: SQLSTATE class 08
 * (connection exception), 57P01–57P03 (the server is shutting down, crashed or still starting:
 * `pg_ctl stop`, `pg_terminate_backend`, a restart), a socket error, or one of `pg`'s own messages
 * for a connection that ended. Such a call may be retried once PostgreSQL is back.
 */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') {
      return true;
    }
    if (SOCKET_ERRORS.has(code)) return true;
  }
  const message = error instanceof Error ? error.message : String(error);
  return PG_CONNECTION_MESSAGES.test(message);
}

const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const PG_CONNECTION_MESSAGES =
  /Connection terminated|not queryable|Connection ended|connect ECONNREFUSED|timeout expired|the database system is (starting up|shutting down|in recovery mode)/i;
