/**
 * HOST-RESOURCES-MIB (hrProcessorLoad, hrStorage) and UCD-SNMP-MIB (memory, ssCpu) — what Linux
 * hosts, MikroTik and many appliances report about CPU, memory and disks.
 */
import { catalog } from '@ispmonitor/core';
import { isUnder } from '../oid.js';
import { numberValue, oidValue, textValue } from '../values.js';
import { emit, getScalars, oidsUnder, type Part, walk } from './context.js';

const HR_PROCESSOR_LOAD = '1.3.6.1.2.1.25.3.3.1.2';
const HR_STORAGE = '1.3.6.1.2.1.25.2.3.1';
const HR_STORAGE_RAM = '1.3.6.1.2.1.25.2.1.2';
/** hrStorageFixedDisk and hrStorageFlashMemory: reported as storage. */
const HR_STORAGE_DISKS = new Set(['1.3.6.1.2.1.25.2.1.4', '1.3.6.1.2.1.25.2.1.9']);
const col = oidsUnder(HR_STORAGE, { type: 2, descr: 3, units: 4, size: 5, used: 6 });

/** hrProcessorLoad per CPU and hrStorage (RAM as `pool="ram"`, disks by description). */
export function hostResourcesPart(options: { ram: boolean } = { ram: true }): Part {
  return {
    name: 'hostResources',
    async collect(ctx) {
      const cols = await walk(
        ctx,
        [HR_PROCESSOR_LOAD, col.type, col.descr, col.units, col.size, col.used],
        (c) => (isUnder(c, HR_STORAGE) ? 'hrStorageTable' : 'hrProcessorTable'),
      );
      for (const [index, vb] of cols.get(HR_PROCESSOR_LOAD) ?? []) {
        const load = numberValue(vb);
        if (load !== undefined) emit(ctx, catalog.deviceCpuLoad.name, { cpu: index }, load / 100);
      }
      for (const [index, typeVb] of cols.get(col.type) ?? []) {
        const type = oidValue(typeVb);
        const units = numberValue(cols.get(col.units)?.get(index));
        const size = numberValue(cols.get(col.size)?.get(index));
        const used = numberValue(cols.get(col.used)?.get(index));
        if (!type || units === undefined || size === undefined || size <= 0) continue;
        if (type === HR_STORAGE_RAM && options.ram) {
          emit(ctx, catalog.deviceMemoryTotal.name, { pool: 'ram' }, size * units);
          emit(
            ctx,
            catalog.deviceMemoryUsed.name,
            { pool: 'ram' },
            used === undefined ? undefined : used * units,
          );
        } else if (HR_STORAGE_DISKS.has(type)) {
          const storage = textValue(cols.get(col.descr)?.get(index)) || index;
          emit(ctx, catalog.deviceStorageTotal.name, { storage }, size * units);
          emit(
            ctx,
            catalog.deviceStorageUsed.name,
            { storage },
            used === undefined ? undefined : used * units,
          );
        }
      }
    },
  };
}

const UCD = '1.3.6.1.4.1.2021';
/** UCD-SNMP scalars: memory (`.4`) and systemStats (`.11`). */
const ucd = oidsUnder(
  UCD,
  { memTotalReal: '4.5', memAvailReal: '4.6', memBuffer: '4.14', memCached: '4.15', ssCpuIdle: '11.11' },
  '.0',
);

/**
 * UCD-SNMP (net-snmp agents): memory in use = total − free − buffers − cache, as `free` counts it;
 * CPU as `cpu="total"` = 1 − ssCpuIdle (the agent's one-minute average).
 */
export const ucdPart: Part = {
  name: 'ucd',
  async collect(ctx) {
    const got = await getScalars(ctx, Object.values(ucd));
    const kb = (oid: string) => {
      const n = numberValue(got.get(oid));
      return n === undefined ? undefined : n * 1024;
    };
    const total = kb(ucd.memTotalReal);
    const avail = kb(ucd.memAvailReal);
    if (total !== undefined && avail !== undefined) {
      const used = total - avail - (kb(ucd.memBuffer) ?? 0) - (kb(ucd.memCached) ?? 0);
      emit(ctx, catalog.deviceMemoryTotal.name, { pool: 'ram' }, total);
      emit(ctx, catalog.deviceMemoryUsed.name, { pool: 'ram' }, Math.max(0, used));
    }
    const idle = numberValue(got.get(ucd.ssCpuIdle));
    if (idle !== undefined)
      emit(ctx, catalog.deviceCpuLoad.name, { cpu: 'total' }, Math.max(0, 100 - idle) / 100);
  },
};
