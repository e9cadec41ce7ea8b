#!/usr/bin/env node
import { runCli } from './run-cli.js';

const result = await runCli(process.argv.slice(2));

if (result.kind === 'exit') {
  process.exitCode = result.exitCode;
} else {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`facekit: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`facekit: ${signal}, finishing in-flight requests...\n`);
    result.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`facekit: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
