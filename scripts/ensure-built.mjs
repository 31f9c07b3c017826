// Run before `npm start`: installs dependencies on a fresh clone and builds what is stale.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });
if (!existsSync('node_modules/.package-lock.json')) run('npm ci --no-audit --no-fund');
run('npm run build --silent');
