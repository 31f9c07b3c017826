#!/usr/bin/env node
// The `ispmonitor` command. A committed launcher rather than dist/cli.js itself: npm links a
// workspace package's bin only if the file exists at install time, and dist/ is built after
// `npm ci`; it also keeps its executable bit, which tsc's output would not have.
try {
  await import('../dist/cli.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    process.stderr.write('ispmonitor: not built yet (dist/cli.js is missing): run `npm run build`\n');
    process.exit(1);
  }
  throw err;
}
