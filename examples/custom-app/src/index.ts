import { runApp } from './app.js';

export { type AppReport, runApp } from './app.js';

// `node dist/index.js [seconds]`: run the example and print what it saw.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  const report = await runApp(Number(process.argv[2] ?? 15));
  console.log(JSON.stringify(report, null, 2));
}
