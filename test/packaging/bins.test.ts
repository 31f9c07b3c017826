import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, run } from './support/workspace.js';

/**
 * `npm ci` links a workspace package's bin into node_modules/.bin only if the file exists at
 * install time — before anything is built. So every bin must be a committed, executable file
 * (a small launcher importing dist/), never a path under dist/.
 */
describe('bin entries of the workspace packages', () => {
  it('are committed, executable launchers, so a fresh npm ci links ispmonitor and ispmonitor-sim', async () => {
    const root = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
      workspaces: string[];
    };
    const bins: Record<string, string> = {};
    for (const dir of root.workspaces) {
      const pkg = JSON.parse(await readFile(join(repoRoot, dir, 'package.json'), 'utf8')) as {
        bin?: Record<string, string>;
      };
      for (const [name, path] of Object.entries(pkg.bin ?? {})) bins[name] = join(dir, path);
    }
    expect(Object.keys(bins).sort()).toEqual(['ispmonitor', 'ispmonitor-sim']);
    for (const [name, path] of Object.entries(bins)) {
      expect(path, name).not.toMatch(/(^|\/)dist\//);
      const res = await run('git', ['ls-files', '-s', '--', path], { cwd: repoRoot });
      // Mode 100755: committed and executable.
      expect(res.stdout, `${name} → ${path}`).toMatch(/^100755 /);
    }
  });
});
