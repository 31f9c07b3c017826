import { z } from 'zod';
import { type ConfigSection, configSection } from './section.js';

const port = z.number().int().min(0).max(65535);

/**
 * The server's sections as core used to own them, for callers of `loadConfig` that pass no
 * `sections` (tests and benchmarks written before sections were registered). The server defines
 * its own (examples/server/src/config-sections.ts) and passes them.
 * @deprecated Remove once no caller of `loadConfig` relies on them.
 */
export const legacyServerSections = [
  configSection(
    'api',
    z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: port.default(8080) })
      .strict()
      .prefault({}),
    [
      { env: 'API_HOST', path: ['host'], type: 'string' },
      { env: 'API_PORT', path: ['port'], type: 'int' },
    ],
  ),
  configSection(
    'metrics',
    z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: port.default(9090) })
      .strict()
      .prefault({}),
    [
      { env: 'METRICS_HOST', path: ['host'], type: 'string' },
      { env: 'METRICS_PORT', path: ['port'], type: 'int' },
    ],
  ),
  configSection(
    'database',
    z
      .object({
        url: z.string().optional(),
        readUrl: z.string().optional(),
        dataDir: z.string().default('./.data/pglite'),
      })
      .strict()
      .prefault({}),
    [
      { env: 'DATABASE_URL', path: ['url'], type: 'string' },
      { env: 'DATABASE_READ_URL', path: ['readUrl'], type: 'string' },
    ],
  ),
  configSection(
    'cluster',
    z
      .object({ mode: z.enum(['none', 'postgres']).default('none') })
      .strict()
      .prefault({}),
    [{ env: 'CLUSTER', path: ['mode'], type: 'string' }],
  ),
  configSection('server', z.record(z.string(), z.unknown()).default({})),
] as const satisfies readonly ConfigSection[];
