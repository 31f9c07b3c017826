#!/usr/bin/env node
/**
 * Rewrites ONLY the publishing metadata of every workspace package.json (description, keywords,
 * licence, author, files, engines, publishConfig, peer dependency on core, and the prepack/postpack
 * LICENSE copy).
 *
 * No repository, homepage or bugs fields: this checkout has no public remote yet, and a placeholder
 * address (it was `example.invalid`) sends users nowhere. Add `REPO` here once there is one. Dependencies, devDependencies and the
 * other scripts belong to the engineers who own each package and are left exactly as they are.
 *
 * Read-modify-write per file, so it is safe to run while others edit those files (run it under
 * `flock /tmp/ispm-npm.lock`). `--check` prints what would change and exits 1 if anything would.
 *
 *   node scripts/package-metadata.mjs [--check]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The one place the public repository address would live; none until the project has a public remote.
const REPO = undefined;
// Plugins accept the core of their own release line (all @ispmonitor/* share one version).
const coreVersion = JSON.parse(await readFile(join(root, 'packages/core/package.json'), 'utf8')).version;
const CORE_RANGE = `^${coreVersion}`;
const BASE_KEYWORDS = ['ispmonitor', 'isp', 'network-monitoring', 'monitoring'];

/** A plugin: a peer of core, found by the `ispmonitor-plugin` keyword plus its own. */
const plugin = (...keywords) => ({ peer: true, keywords: ['ispmonitor-plugin', ...keywords] });

/** Per package: extra keywords, whether it is a plugin (peer on core), and what it publishes. */
const packages = {
  'packages/core': { keywords: ['snmp', 'mikrotik', 'routeros', 'plugin-host', 'scheduler', 'prometheus'] },
  // types/: the declarations of net-snmp (which ships none), referenced by dist/index.d.ts.
  'packages/plugin-snmp': { ...plugin('snmp', 'snmpv3', 'snmp-traps'), files: ['types'] },
  'packages/plugin-mikrotik': plugin('mikrotik', 'routeros', 'routeros-api', 'pppoe', 'dhcp', 'wireless'),
  'packages/plugin-postgres': plugin('postgresql', 'pglite', 'time-series', 'storage'),
  'packages/plugin-alerts': plugin('alerting', 'alertmanager', 'webhook', 'slack', 'telegram', 'email'),
  'packages/plugin-cluster': plugin('postgresql', 'advisory-locks', 'high-availability', 'scale-out'),
  'packages/plugin-remote-write': plugin(
    'prometheus',
    'remote-write',
    'victoriametrics',
    'mimir',
    'time-series',
  ),
  'packages/simulator': {
    peer: true,
    keywords: ['snmp', 'snmp-agent', 'snmpsim', 'mikrotik', 'routeros', 'simulator', 'testing'],
    // bin/ holds the committed `ispmonitor-sim` launcher (see the server's entry).
    files: ['bin'],
  },
  // The ready server, installed as an app: `npm install @ispmonitor/server && npx ispmonitor demo`.
  // Its built web UI ships in ui/dist; bin/ispmonitor.js is a committed launcher because npm links
  // a workspace's bin at install time only if the file exists then, and dist/ is built afterwards.
  'examples/server': {
    keywords: ['nms', 'snmp', 'mikrotik', 'prometheus', 'rest-api', 'web-ui', 'cli'],
    files: ['bin', 'ui/dist'],
  },
  // Private, never published, but packed by test/packaging: it is what a plugin author copies. It
  // must work copied out alone, so it carries its own LICENSE and no script reaching into the repo.
  'examples/plugin-template': { ...plugin(), private: true, standalone: true },
};

/** What goes into the tarball: built code and the three documents, never tests or build state. */
const FILES = [
  'dist',
  '!dist/**/*.test.*',
  '!dist/**/test/**',
  '!dist/**/*.tsbuildinfo',
  '!dist/.tsbuildinfo',
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
];

/** Put `key` into `obj` keeping the existing key order (new keys go after `after`, or at the end). */
function place(obj, key, value, after) {
  if (key in obj || !after || !(after in obj)) {
    obj[key] = value;
    return obj;
  }
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k] = v;
    if (k === after) out[key] = value;
  }
  return out;
}

async function update(dir, spec, check) {
  const file = join(root, dir, 'package.json');
  const before = await readFile(file, 'utf8');
  let pkg = JSON.parse(before);
  pkg = place(pkg, 'keywords', [...new Set([...BASE_KEYWORDS, ...spec.keywords])], 'description');
  pkg = place(pkg, 'license', 'Apache-2.0', 'keywords');
  pkg = place(pkg, 'author', 'ISP Monitor contributors', 'license');
  if (REPO && !spec.standalone) {
    pkg = place(pkg, 'homepage', `${REPO}/tree/main/${dir}#readme`, 'author');
    pkg = place(pkg, 'bugs', { url: `${REPO}/issues` }, 'homepage');
    pkg = place(pkg, 'repository', { type: 'git', url: `git+${REPO}.git`, directory: dir }, 'bugs');
  } else {
    delete pkg.homepage;
    delete pkg.bugs;
    delete pkg.repository;
  }
  pkg = place(pkg, 'engines', { node: '>=20.19' }, 'type');
  pkg = place(pkg, 'files', [...FILES.slice(0, 1), ...(spec.files ?? []), ...FILES.slice(1)], 'types');
  if (spec.private) pkg.private = true;
  else {
    delete pkg.private;
    pkg = place(pkg, 'publishConfig', { access: 'public' }, 'files');
  }
  if (spec.peer) pkg.peerDependencies = { ...pkg.peerDependencies, '@ispmonitor/core': CORE_RANGE };
  // LICENSE lives once at the root; npm only packs files inside the package folder, so it is copied
  // in just before packing and removed right after (works for `npm pack` and `npm publish`).
  // The standalone template keeps its own LICENSE file and builds itself before packing instead.
  if (spec.standalone) {
    const { postpack: _, ...scripts } = pkg.scripts ?? {};
    pkg.scripts = { ...scripts, prepack: 'tsc -p tsconfig.json' };
  } else {
    pkg.scripts = {
      ...pkg.scripts,
      prepack: 'node ../../scripts/license-copy.mjs add',
      postpack: 'node ../../scripts/license-copy.mjs remove',
    };
  }
  const after = `${JSON.stringify(pkg, null, 2)}\n`;
  if (after === before) return false;
  if (check) console.log(`${dir}/package.json: metadata out of date`);
  else await writeFile(file, after);
  return true;
}

const check = process.argv.includes('--check');
let changed = 0;
for (const [dir, spec] of Object.entries(packages)) if (await update(dir, spec, check)) changed++;
console.log(`${changed} package.json file(s) ${check ? 'would change' : 'updated'}`);
if (check && changed) process.exit(1);
