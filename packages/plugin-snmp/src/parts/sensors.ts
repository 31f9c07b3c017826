/**
 * Temperatures, voltages and vendor CPU tables: ENTITY-SENSOR-MIB, MIKROTIK-MIB health (old
 * scalars and the RouterOS 7 gauge table), JUNIPER-MIB jnxOperatingTable, CISCO-PROCESS-MIB and
 * CISCO-ENVMON-MIB.
 */
import { catalog } from '@ispmonitor/core';
import { indexArcs } from '../oid.js';
import { numberValue, textValue } from '../values.js';
import { emit, getScalars, oidsUnder, type Part, walk } from './context.js';

const ENT_SENSOR = '1.3.6.1.2.1.99.1.1.1';
const ENT_NAME = '1.3.6.1.2.1.47.1.1.1.1.7';
/** entPhySensorEntry: type, scale, precision, value, oper status. */
const ent = oidsUnder(ENT_SENSOR, { type: 1, scale: 2, precision: 3, value: 4, status: 5 });

/** ENTITY-SENSOR-MIB: celsius and volts sensors that report `ok`, named by entPhysicalName. */
export const entitySensorPart: Part = {
  name: 'entitySensor',
  async collect(ctx) {
    const cols = await walk(ctx, Object.values(ent), () => 'entPhySensorTable');
    const rows = cols.get(ent.type);
    if (!rows || rows.size === 0) return;
    const names = await walk(ctx, [ENT_NAME], () => 'entPhysicalTable');
    for (const [index, typeVb] of rows) {
      const kind = numberValue(typeVb);
      const raw = numberValue(cols.get(ent.value)?.get(index));
      const st = numberValue(cols.get(ent.status)?.get(index));
      if (raw === undefined || (st !== undefined && st !== 1)) continue;
      // Scale: units(9) is 10^0, each step is 10^3; precision counts decimal digits.
      const exp =
        ((numberValue(cols.get(ent.scale)?.get(index)) ?? 9) - 9) * 3 -
        (numberValue(cols.get(ent.precision)?.get(index)) ?? 0);
      const v = raw * 10 ** exp;
      const sensor = textValue(names.get(ENT_NAME)?.get(index)) || index;
      if (kind === 8) emit(ctx, catalog.deviceTemperature.name, { sensor }, v);
      else if (kind === 3 || kind === 4) emit(ctx, catalog.deviceVoltage.name, { sensor }, v);
    }
  },
};

const MTX_HEALTH = '1.3.6.1.4.1.14988.1.1.3';
/** mtxrGaugeEntry: name, value, unit. */
const mtxGauge = oidsUnder(`${MTX_HEALTH}.100.1`, { name: 2, value: 3, unit: 4 });
/** Old (RouterOS 6) health scalars: all in tenths. */
const MTX_SCALARS: Array<{ oid: string; sensor: string; metric: 'temp' | 'volt' }> = [
  { oid: `${MTX_HEALTH}.10.0`, sensor: 'temperature', metric: 'temp' },
  { oid: `${MTX_HEALTH}.11.0`, sensor: 'processor', metric: 'temp' },
  { oid: `${MTX_HEALTH}.6.0`, sensor: 'cpu', metric: 'temp' },
  { oid: `${MTX_HEALTH}.7.0`, sensor: 'board', metric: 'temp' },
  { oid: `${MTX_HEALTH}.8.0`, sensor: 'voltage', metric: 'volt' },
];

/**
 * MIKROTIK-MIB health. RouterOS 7 has mtxrGaugeTable (name, value, unit: 1 °C, 3 dV); when it
 * has rows the old scalars (same readings, in tenths) are not emitted twice.
 */
export const mikrotikHealthPart: Part = {
  name: 'mikrotikHealth',
  async collect(ctx) {
    const cols = await walk(ctx, Object.values(mtxGauge), () => 'mtxrGaugeTable');
    const gauges = cols.get(mtxGauge.name);
    if (gauges && gauges.size > 0) {
      for (const [index, nameVb] of gauges) {
        const sensor = textValue(nameVb) || index;
        const v = numberValue(cols.get(mtxGauge.value)?.get(index));
        const u = numberValue(cols.get(mtxGauge.unit)?.get(index));
        if (v === undefined) continue;
        if (u === 1) emit(ctx, catalog.deviceTemperature.name, { sensor }, v);
        else if (u === 3) emit(ctx, catalog.deviceVoltage.name, { sensor }, v / 10);
      }
      return;
    }
    const got = await getScalars(
      ctx,
      MTX_SCALARS.map((s) => s.oid),
    );
    for (const s of MTX_SCALARS) {
      const v = numberValue(got.get(s.oid));
      if (v === undefined) continue;
      const metric = s.metric === 'temp' ? catalog.deviceTemperature.name : catalog.deviceVoltage.name;
      emit(ctx, metric, { sensor: s.sensor }, v / 10);
    }
  },
};

/** jnxOperatingEntry: description, temperature (°C), CPU (%). */
const jnx = oidsUnder('1.3.6.1.4.1.2636.3.1.13.1', { descr: 5, temp: 7, cpu: 8 });

/** JUNIPER-MIB jnxOperatingTable: temperatures of components, CPU of Routing Engines and FPCs. */
export const juniperPart: Part = {
  name: 'juniperOperating',
  async collect(ctx) {
    const cols = await walk(ctx, Object.values(jnx), () => 'jnxOperatingTable');
    const name = (i: string) => textValue(cols.get(jnx.descr)?.get(i)) || i;
    for (const [i, vb] of cols.get(jnx.temp) ?? []) {
      const v = numberValue(vb);
      // 0 means "this component has no sensor", not 0 °C.
      if (v !== undefined && v > 0) emit(ctx, catalog.deviceTemperature.name, { sensor: name(i) }, v);
    }
    for (const [i, vb] of cols.get(jnx.cpu) ?? []) {
      const v = numberValue(vb);
      // Container 9 is the Routing Engine, 7 the FPCs: the components that have a CPU.
      const container = indexArcs(i)[0];
      if (v !== undefined && (container === 9 || container === 7)) {
        emit(ctx, catalog.deviceCpuLoad.name, { cpu: name(i) }, v / 100);
      }
    }
  },
};

const CPM_CPU_5MIN = '1.3.6.1.4.1.9.9.109.1.1.1.1.8';
const ENVMON_TEMP = '1.3.6.1.4.1.9.9.13.1.3.1';
/** CISCO-MEMORY-POOL-MIB ciscoMemoryPoolEntry: .2 name, .5 used bytes, .6 free bytes. */
const MEMORY_POOL = '1.3.6.1.4.1.9.9.48.1.1.1';

/**
 * CISCO-PROCESS-MIB cpmCPUTotal5minRev, CISCO-ENVMON-MIB temperatures and CISCO-MEMORY-POOL-MIB
 * memory. The Processor pool is the router's memory as `show memory` heads it (pool `ram`, like
 * the other profiles' main memory); the other pools (I/O: packet buffers) keep their own names.
 */
export const ciscoPart: Part = {
  name: 'cisco',
  async collect(ctx) {
    const columns = [
      CPM_CPU_5MIN,
      `${ENVMON_TEMP}.2`,
      `${ENVMON_TEMP}.3`,
      `${MEMORY_POOL}.2`,
      `${MEMORY_POOL}.5`,
      `${MEMORY_POOL}.6`,
    ];
    const cols = await walk(ctx, columns, (c) =>
      c === CPM_CPU_5MIN
        ? 'cpmCPUTotalTable'
        : c.startsWith(MEMORY_POOL)
          ? 'ciscoMemoryPoolTable'
          : 'ciscoEnvMonTemperatureStatusTable',
    );
    for (const [i, vb] of cols.get(CPM_CPU_5MIN) ?? []) {
      const v = numberValue(vb);
      if (v !== undefined) emit(ctx, catalog.deviceCpuLoad.name, { cpu: i }, v / 100);
    }
    for (const [i, vb] of cols.get(`${ENVMON_TEMP}.3`) ?? []) {
      const sensor = textValue(cols.get(`${ENVMON_TEMP}.2`)?.get(i)) || i;
      emit(ctx, catalog.deviceTemperature.name, { sensor }, numberValue(vb));
    }
    for (const [i, vb] of cols.get(`${MEMORY_POOL}.5`) ?? []) {
      const used = numberValue(vb);
      const free = numberValue(cols.get(`${MEMORY_POOL}.6`)?.get(i));
      if (used === undefined || free === undefined) continue;
      const name = textValue(cols.get(`${MEMORY_POOL}.2`)?.get(i)) || i;
      const pool = /^processor$/i.test(name) ? 'ram' : name.toLowerCase();
      emit(ctx, catalog.deviceMemoryTotal.name, { pool }, used + free);
      emit(ctx, catalog.deviceMemoryUsed.name, { pool }, used);
    }
  },
};
