#!/usr/bin/env node
import { runConformance } from './run-conformance.js';

// Ctrl-C stops after the running scenario, so the collections made so far are still deleted.
const interrupted = new AbortController();
process.on('SIGINT', () => {
  if (interrupted.signal.aborted) process.exit(130);
  process.stderr.write(
    'facekit-conformance: interrupted, cleaning up (Ctrl-C again to quit now)\n',
  );
  interrupted.abort();
});

process.exitCode = await runConformance(process.argv.slice(2), undefined, interrupted.signal);
