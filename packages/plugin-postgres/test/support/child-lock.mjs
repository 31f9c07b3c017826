// Child process for the folder-lock test: opens a PGlite folder with the plugin's own code
// (transpiled by the test) and reports what happened as one JSON line on stdout.
const [, , modDir, dataDir, mode] = process.argv;
const { openPglite } = await import(`${modDir}/pglite.js`);
try {
  const db = await openPglite({ dataDir });
  await db.query('CREATE TABLE IF NOT EXISTS t (v int)');
  await db.query('INSERT INTO t VALUES (1)');
  process.stdout.write(`${JSON.stringify({ ok: true, pid: process.pid })}\n`);
  if (mode === 'hold') {
    // Hold the folder until the parent kills us.
    setInterval(() => {}, 1000);
  } else {
    await db.close();
  }
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, code: err.code, message: err.message })}\n`);
  process.exitCode = 3;
}
