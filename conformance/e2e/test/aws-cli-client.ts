import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * `aws rekognition <args>` against `url` with dummy keys and a throwaway `home` (so no user
 * config or real credentials are read), answering the parsed JSON output.
 */
export function awsRekognition(url: string, home: string) {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  };
  return async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await promisify(execFile)(
      'aws',
      ['rekognition', ...args, '--endpoint-url', url, '--output', 'json'],
      { env },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  };
}
