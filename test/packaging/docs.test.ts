import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from './support/workspace.js';

interface Generated {
  file: string;
  text: string;
  fields: number;
  undocumented: string[];
}
interface OptionsScript {
  plugins: Array<{ file: string; dir: string }>;
  generate(outDir: string): Promise<Generated[]>;
}

let tmp = '';
let script: OptionsScript;
let pages: Generated[] = [];

beforeAll(async () => {
  script = (await import(pathToFileURL(join(repoRoot, 'scripts/docs/options.mjs')).href)) as OptionsScript;
  // The generator imports the built plugins: build what it reads.
  await ensureBuilt(script.plugins.map((p) => p.dir));
  tmp = await mkdtemp(join(tmpdir(), 'ispm-docs-'));
  pages = await script.generate(tmp);
}, 300_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('docs/reference options tables', () => {
  it('are exactly what the schemas generate today (run scripts/docs/options.mjs to update)', async () => {
    const committed = (await readdir(join(repoRoot, 'docs/reference'))).filter((f) => f.endsWith('.md'));
    expect(committed.sort()).toEqual(pages.map((p) => p.file).sort());
    for (const p of pages) {
      const onDisk = await readFile(join(repoRoot, 'docs/reference', p.file), 'utf8');
      expect(onDisk, `docs/reference/${p.file} is stale`).toBe(await readFile(join(tmp, p.file), 'utf8'));
    }
  });

  it('list every option of a schema, with its default', async () => {
    const { reachabilityOptionsSchema, tcpSettingsSchema } = await import(
      '../../examples/plugin-template/src/index.js'
    );
    const template = pages.find((p) => p.file === 'plugin-template.md') as Generated;
    // Columns are padded to their widest cell.
    const row = (key: string) => new RegExp(`^\\| \`${key}\` +\\|`, 'm');
    for (const key of Object.keys(reachabilityOptionsSchema.shape)) expect(template.text).toMatch(row(key));
    for (const key of Object.keys(tcpSettingsSchema.shape)) expect(template.text).toMatch(row(key));
    // A default from the schema shows up in the table.
    expect(tcpSettingsSchema.parse({}).ports).toEqual([22]);
    expect(template.text).toMatch(/\| `ports` +\| integer\[\] +\| `\[22\]` +\|/);
  });

  it('take descriptions from the doc comments when schemas have none', () => {
    const mikrotik = pages.find((p) => p.file === 'plugin-mikrotik.md') as Generated;
    expect(mikrotik.undocumented).toEqual([]);
    expect(mikrotik.text).toMatch(
      /\| `tls` +\| boolean +\| `true` +\| API-SSL \(port 8729\) with certificate verification/,
    );
  });
});

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

describe('links in the docs this project generates or indexes', () => {
  const pages = ['docs/index.md', 'docs/getting-started.md'];
  it.each(pages)('%s: every relative link reaches a file, and its #anchor a heading there', async (page) => {
    const text = await readFile(join(repoRoot, page), 'utf8');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
    expect(links.length).toBeGreaterThan(3);
    const broken: string[] = [];
    for (const link of links.filter((l) => !/^[a-z]+:/.test(l))) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = join(repoRoot, page, '..', path);
      let body: string;
      try {
        body = path.endsWith('/') ? '' : await readFile(target, 'utf8');
      } catch {
        broken.push(`${link} (no such file)`);
        continue;
      }
      if (anchor && !body.split('\n').some((l) => /^#+ /.test(l) && slug(l.replace(/^#+ /, '')) === anchor)) {
        broken.push(`${link} (no heading #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
