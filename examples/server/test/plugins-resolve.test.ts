import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closest, editDistance } from '../src/plugins/closest.js';
import { parsePluginsEnv, splitEntries } from '../src/plugins/entries.js';
import { resolvePackage, splitSpecifier } from '../src/plugins/resolve-package.js';

const dir = mkdtempSync(join(tmpdir(), 'ispm-resolve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pkg(
  at: string,
  name: string,
  manifest: Record<string, unknown>,
  files: Record<string, string>,
): void {
  const folder = join(at, 'node_modules', name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, ...manifest }));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(folder, file, '..'), { recursive: true });
    writeFileSync(join(folder, file), text);
  }
}

describe('closest names', () => {
  it('counts a swap of neighbours as one edit, and suggests only near names', () => {
    expect(editDistance('alrets', 'alerts')).toBe(1);
    expect(closest('alrets', ['snmp', 'mikrotik', 'postgres', 'alerts', 'cluster', 'remoteWrite'])).toBe(
      'alerts',
    );
    expect(closest('remotewrite', ['remoteWrite'])).toBe('remoteWrite');
    expect(closest('httpcheck', ['snmp', 'alerts'])).toBeUndefined();
  });
});

describe('plugin entries', () => {
  const locate = (p: readonly PropertyKey[]) => `c.yaml:${p.length}`;
  const builtin = ['snmp', 'alerts'];

  it('keeps built-in options as they are and takes package entries', () => {
    const split = splitEntries(
      {
        snmp: { maxRepetitions: 10 },
        http: { package: '@acme/ispm-http', export: 'httpCheck', options: { a: 1 } },
      },
      builtin,
      locate,
    );
    expect(split.problems).toEqual([]);
    expect(split.builtins).toEqual({ snmp: { maxRepetitions: 10 } });
    expect(split.packages).toMatchObject([
      {
        name: 'http',
        package: '@acme/ispm-http',
        export: 'httpCheck',
        options: { a: 1 },
        path: 'plugins.http',
      },
    ]);
  });

  it('names every bad entry with its place and what to do', () => {
    const split = splitEntries(
      {
        alrets: {},
        snmp: { package: 'x' },
        a: { package: '../local/path' },
        b: { package: 'ok', export: 'not a name', options: [1], extra: true },
      },
      builtin,
      locate,
    );
    expect(split.packages).toEqual([]);
    expect(split.problems).toEqual([
      expect.stringMatching(
        /^c\.yaml:2: plugins\.alrets: unknown plugin "alrets" \(did you mean "alerts"\?\)/,
      ),
      expect.stringMatching(/^c\.yaml:3: plugins\.snmp\.package: "snmp" is a built-in plugin/),
      expect.stringMatching(/^c\.yaml:3: plugins\.a\.package: expected an npm package name/),
      expect.stringMatching(
        /^c\.yaml:3: plugins\.b\.extra: unknown key; a plugin entry takes package, export, options/,
      ),
      expect.stringMatching(/^c\.yaml:3: plugins\.b\.export: expected the name of the factory/),
      expect.stringMatching(/^c\.yaml:3: plugins\.b\.options: expected a mapping/),
    ]);
  });

  it('reads ISPM_PLUGINS as a list of packages or as JSON shaped like the section', () => {
    const list = parsePluginsEnv(' @acme/ispm-http#httpCheck , acme-file ');
    expect(list.problems).toEqual([]);
    expect(list.list.map((e) => [e.package, e.export, e.where])).toEqual([
      ['@acme/ispm-http', 'httpCheck', 'environment ISPM_PLUGINS'],
      ['acme-file', undefined, 'environment ISPM_PLUGINS'],
    ]);
    const json = parsePluginsEnv('{"http": {"package": "@acme/ispm-http", "options": {"path": "/"}}}');
    expect(json.section).toEqual({ http: { package: '@acme/ispm-http', options: { path: '/' } } });
    expect(parsePluginsEnv('a#b#c').problems[0]).toMatch(/more than one "#"/);
    expect(parsePluginsEnv('{nope').problems[0]).toMatch(/^environment ISPM_PLUGINS: not valid JSON/);
    expect(parsePluginsEnv(undefined)).toEqual({ section: {}, list: [], problems: [] });
  });
});

describe('finding a package as an ESM import does', () => {
  it('reads exports (conditions, subpaths, patterns), main, and walks up node_modules', () => {
    pkg(
      dir,
      '@acme/esm',
      { exports: { '.': { types: './x.d.ts', import: './dist/index.js' } } },
      {
        'dist/index.js': '',
      },
    );
    pkg(dir, 'sugar', { exports: './main.js' }, { 'main.js': '' });
    pkg(
      dir,
      'nested',
      { exports: { '.': [{ node: { import: './n.js' } }, './fallback.js'] } },
      { 'n.js': '' },
    );
    pkg(dir, 'patterns', { exports: { './plugins/*': './lib/*.js' } }, { 'lib/http.js': '' });
    pkg(dir, 'legacy', { main: 'lib/main' }, { 'lib/main.js': '' });
    pkg(dir, 'bare', {}, { 'index.js': '' });
    pkg(dir, 'cjs-only', { exports: { require: './c.cjs' } }, { 'c.cjs': '' });
    const deep = join(dir, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    const at = (s: string) => resolvePackage(s, [join(dir, 'elsewhere'), deep])?.entry.slice(dir.length);
    expect(at('@acme/esm')).toBe('/node_modules/@acme/esm/dist/index.js');
    expect(at('sugar')).toBe('/node_modules/sugar/main.js');
    expect(at('nested')).toBe('/node_modules/nested/n.js');
    expect(at('patterns/plugins/http')).toBe('/node_modules/patterns/lib/http.js');
    expect(at('legacy')).toBe('/node_modules/legacy/lib/main.js');
    expect(at('bare')).toBe('/node_modules/bare/index.js');
    expect(at('not-there')).toBeUndefined();
    expect(() => at('cjs-only')).toThrow(/exports no "\." for import/);
    expect(splitSpecifier('@a/b/c/d')).toEqual(['@a/b', './c/d']);
  });
});
