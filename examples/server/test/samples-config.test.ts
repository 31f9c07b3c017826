import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/assemble.js';
import { queryUrlOf, remoteWritePlugin } from '../src/samples/config.js';
import { KNOWN_ENV } from '../src/server-config.js';

const dir = mkdtempSync(join(tmpdir(), 'ispm-rw-cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('remote write and sample read-back in the server config', () => {
  it('REMOTE_WRITE_URL gives the targets (several, comma-separated), over the file', async () => {
    const path = file(
      'a.yaml',
      'plugins:\n  remoteWrite:\n    shards: 8\n    targets: [{ url: "http://old:8428/api/v1/write" }]\n',
    );
    const { loaded } = await readConfig(path, {
      REMOTE_WRITE_URL: 'http://vm:8428/api/v1/write, https://mimir:8080/api/v1/push',
    });
    expect(loaded.config.plugins.remoteWrite).toEqual({
      shards: 8,
      targets: [{ url: 'http://vm:8428/api/v1/write' }, { url: 'https://mimir:8080/api/v1/push' }],
    });
    expect(remoteWritePlugin(loaded.config)?.name).toBe('remote-write');
  });

  it('plugins.remoteWrite is validated with the file line; targets may come from the environment', async () => {
    const bad = file('b.yaml', 'plugins:\n  remoteWrite:\n    shards: 0\n');
    await expect(readConfig(bad, {})).rejects.toThrow(/plugins\.remoteWrite\.shards/);
    const noTargets = file('c.yaml', 'plugins:\n  remoteWrite:\n    shards: 2\n');
    const { loaded } = await readConfig(noTargets, { REMOTE_WRITE_URL: 'http://vm:8428/api/v1/write' });
    expect(loaded.config.plugins.remoteWrite).toMatchObject({
      shards: 2,
      targets: [{ url: 'http://vm:8428/api/v1/write' }],
    });
  });

  it('no remote write configured: no plugin, charts on PostgreSQL', async () => {
    const { loaded, server } = await readConfig(file('d.yaml', '{}\n'), {});
    expect(remoteWritePlugin(loaded.config)).toBeUndefined();
    expect(server.storage.samples).toBe('postgres');
  });

  it('ISPM_SAMPLES=prometheus reads back from the first target (or ISPM_SAMPLES_QUERY_URL)', async () => {
    const { loaded, server } = await readConfig(file('e.yaml', '{}\n'), {
      REMOTE_WRITE_URL: 'http://vm:8428/api/v1/write',
      ISPM_SAMPLES: 'prometheus',
    });
    expect(server.storage).toEqual({ samples: 'prometheus' });
    const plugin = remoteWritePlugin(loaded.config);
    expect(plugin?.options).toMatchObject({ query: { url: 'http://vm:8428' } });
    const other = await readConfig(file('f.yaml', '{}\n'), {
      REMOTE_WRITE_URL: 'http://mimir:8080/api/v1/push',
      ISPM_SAMPLES: 'prometheus',
      ISPM_SAMPLES_QUERY_URL: 'http://mimir:8080/prometheus',
    });
    expect(remoteWritePlugin(other.loaded.config)?.options).toMatchObject({
      query: { url: 'http://mimir:8080/prometheus' },
    });
  });

  it('prometheus mode without a target is refused with a clear error', async () => {
    const path = file('g.yaml', 'server:\n  storage:\n    samples: prometheus\n');
    const { loaded } = await readConfig(path, {});
    expect(() => remoteWritePlugin(loaded.config)).toThrow(/needs remote-write targets/);
    await expect(
      readConfig(file('h.yaml', 'server:\n  storage:\n    samples: influx\n'), {}),
    ).rejects.toThrow(/server\.storage\.samples/);
  });

  it('derives the query API from the write URL; lists the new variables as known', () => {
    expect(queryUrlOf('http://vm:8428/api/v1/write')).toBe('http://vm:8428');
    expect(queryUrlOf('https://m.example/prefix/api/v1/push')).toBe('https://m.example/prefix');
    expect(queryUrlOf('http://x:1/write')).toBeUndefined();
    expect(KNOWN_ENV).toEqual(
      expect.arrayContaining(['REMOTE_WRITE_URL', 'ISPM_SAMPLES', 'ISPM_SAMPLES_QUERY_URL']),
    );
  });
});
