/**
 * `/system/resource` (CPU, memory, uptime, version, board), `/system/identity`, `/system/package`
 * (to learn the router's capabilities) and `/system/health` (v6: one row of attributes; v7: one
 * row per sensor with name, value and type).
 */
import { catalog } from '@ispmonitor/core';
import { detectCapabilities, healthShape } from '../capabilities.js';
import { parseDuration, parseNumber } from '../values.js';
import { emit, type PollScope, readMenu } from './context.js';

const RESOURCE_FIELDS = [
  'uptime',
  'version',
  'cpu-load',
  'free-memory',
  'total-memory',
  'board-name',
  'architecture-name',
];

/**
 * Reads the resource menu (always: the version decides the other menus) and, when the router is
 * new, reconnected or due for a re-probe, its packages. Also emits the system samples when the
 * `system` collection is on.
 */
export async function collectSystem(scope: PollScope, reprobeMs: number): Promise<void> {
  const wanted = scope.settings.collect.includes('system');
  const probe = !scope.memory.caps || scope.now - scope.memory.capsAt >= reprobeMs;
  const [resource, identity, packages] = await Promise.all([
    readMenu(scope, '/system/resource', RESOURCE_FIELDS),
    wanted ? readMenu(scope, '/system/identity', ['name']) : undefined,
    probe ? readMenu(scope, '/system/package', ['name', 'disabled', 'version']) : undefined,
  ]);
  const row = resource?.[0];
  if (!row) return;
  if (probe) {
    const caps = detectCapabilities(row.version, packages);
    if (caps) {
      scope.memory.caps = caps;
      scope.memory.capsAt = scope.now;
    }
  }
  if (!wanted) return;
  const uptime = parseDuration(row.uptime);
  const load = parseNumber(row['cpu-load']);
  const free = parseNumber(row['free-memory']);
  const total = parseNumber(row['total-memory']);
  emit(scope, catalog.deviceUptime.name, {}, uptime);
  emit(scope, catalog.deviceCpuLoad.name, { cpu: 'total' }, load === undefined ? undefined : load / 100);
  emit(scope, catalog.deviceMemoryTotal.name, { pool: 'ram' }, total);
  emit(
    scope,
    catalog.deviceMemoryUsed.name,
    { pool: 'ram' },
    total === undefined || free === undefined ? undefined : Math.max(0, total - free),
  );
  const name = identity?.[0]?.name;
  scope.facts.system = {
    vendor: 'MikroTik',
    ...(name ? { name } : {}),
    ...(row['board-name'] ? { model: row['board-name'] } : {}),
    ...(row.version ? { version: row.version } : {}),
    ...(row['architecture-name']
      ? { description: `RouterOS ${row.version ?? ''} ${row['architecture-name']}`.trim() }
      : {}),
    ...(uptime !== undefined ? { uptimeSeconds: uptime } : {}),
  };
}

const TEMPERATURE = /temperature/;
const VOLTAGE = /voltage/;

/** `/system/health`: temperatures and voltages, in either shape. */
export async function collectHealth(scope: PollScope): Promise<void> {
  const caps = scope.memory.caps;
  if (!caps) return;
  if (healthShape(caps) === 'rows') {
    const rows = await readMenu(scope, '/system/health', ['name', 'value', 'type']);
    for (const r of rows ?? []) {
      const value = parseNumber(r.value);
      const name = r.name ?? '';
      if (r.type === 'C' || (r.type !== 'V' && TEMPERATURE.test(name))) {
        emit(scope, catalog.deviceTemperature.name, { sensor: name }, value);
      } else if (r.type === 'V' || VOLTAGE.test(name)) {
        emit(scope, catalog.deviceVoltage.name, { sensor: name }, value);
      }
    }
    return;
  }
  // v6: one row, one attribute per sensor; no .proplist, the attribute set varies by board.
  const rows = await readMenu(scope, '/system/health', []);
  const row = rows?.[0];
  if (!row) return;
  for (const [key, text] of Object.entries(row)) {
    const value = parseNumber(text);
    if (TEMPERATURE.test(key)) emit(scope, catalog.deviceTemperature.name, { sensor: key }, value);
    else if (VOLTAGE.test(key)) emit(scope, catalog.deviceVoltage.name, { sensor: key }, value);
  }
}
