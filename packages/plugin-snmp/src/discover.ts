/**
 * Discovery: sweep an IPv4 range with bounded concurrency, identify what answers SNMP
 * (sysObjectID, sysDescr → profile) and propose `Device` objects with their LLDP/CDP neighbours.
 */
import { type Device, type NeighbourFact, parseDuration } from '@ispmonitor/core';
import { SnmpError, SnmpErrorCodes } from './errors.js';
import type { DeviceMemory, PartContext } from './parts/context.js';
import { cdpPart, lldpPart } from './parts/neighbours.js';
import { type ProfileName, profileFor } from './profiles.js';
import { SnmpSession } from './session.js';
import { type SnmpSettingsInput, settingsSchema } from './settings.js';
import { oidValue, textValue } from './values.js';

/** Progress of a sweep, reported after each address. */
export interface DiscoveryProgress {
  done: number;
  total: number;
  found: number;
  address: string;
}

/** Options of `discover`. */
export interface DiscoverOptions {
  /** IPv4 range, e.g. `10.1.0.0/24`, or one address. */
  cidr: string;
  /** Credentials and SNMP settings used for every address (as in `device.snmp`). */
  snmp: SnmpSettingsInput;
  /** Addresses probed at once. Default 64. */
  concurrency?: number;
  /** Per-request timeout while probing. Default `1s`, with no retry. */
  timeout?: number | string;
  /** UDP port. Default 161. */
  port?: number;
  /** Allow ranges larger than a /16 (65,536 addresses). Default false. */
  force?: boolean;
  /** Also read LLDP/CDP neighbours of each responder. Default true. */
  neighbours?: boolean;
  /** Labels put on every proposed device. */
  labels?: Record<string, string>;
  onProgress?(progress: DiscoveryProgress): void;
  signal?: AbortSignal;
}

/** A device that answered. */
export interface Responder {
  address: string;
  name?: string;
  description?: string;
  objectId?: string;
  profile: ProfileName;
  neighbours: NeighbourFact[];
}

/** The outcome of a sweep. */
export interface DiscoverResult {
  scanned: number;
  responders: Responder[];
  /** One proposed device per responder, ready for `monitor.devices.add`. */
  devices: Device[];
}

/** Parses `a.b.c.d/len` into its first address and size. Throws a RangeError on bad input. */
export function parseCidr(cidr: string): { first: number; size: number; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
  if (!m) throw new RangeError(`invalid IPv4 range "${cidr}": expected a.b.c.d/len`);
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) throw new RangeError(`invalid IPv4 address in "${cidr}"`);
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (prefix > 32) throw new RangeError(`invalid prefix length in "${cidr}"`);
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { first: addr - (addr % size), size, prefix };
}

/** Formats a 32-bit number as dotted IPv4. */
export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Hosts of a range: without network and broadcast addresses for prefixes shorter than /31. */
function* hosts(first: number, size: number): Generator<string> {
  const skipEnds = size > 2;
  for (let i = skipEnds ? 1 : 0; i < (skipEnds ? size - 1 : size); i++) yield formatIpv4(first + i);
}

function deviceId(name: string | undefined, address: string, taken: Set<string>): string {
  const base =
    (name ?? '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || `snmp-${address.replaceAll('.', '-')}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/**
 * Sweeps `cidr`. Refuses a range larger than a /16 unless `force`. Each address costs one GET
 * (and, for responders, an LLDP/CDP walk); no more than `concurrency` sockets are open at once.
 */
export async function discover(options: DiscoverOptions): Promise<DiscoverResult> {
  const { first, size, prefix } = parseCidr(options.cidr);
  if (prefix < 16 && !options.force) {
    throw new RangeError(
      `refusing to sweep ${options.cidr} (${size} addresses): larger than a /16; pass force: true`,
    );
  }
  const timeout = parseDuration(options.timeout ?? '1s');
  const settings = settingsSchema.parse({ ...options.snmp, timeout, retries: 0 });
  const port = options.port ?? settings.port ?? 161;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 64, 1024));
  const total = size > 2 ? size - 2 : size;
  const responders: Responder[] = [];
  const iterator = hosts(first, size);
  let done = 0;

  async function probe(address: string): Promise<void> {
    const session = new SnmpSession({ host: address, port }, settings, options.signal);
    try {
      const vbs = await session.get(['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.5.0']);
      const [descrVb, oidVb, nameVb] = vbs;
      const objectId = oidValue(oidVb);
      const r: Responder = { address, profile: settings.profile ?? profileFor(objectId), neighbours: [] };
      const name = textValue(nameVb);
      const description = textValue(descrVb);
      if (name) r.name = name;
      if (description) r.description = description;
      if (objectId) r.objectId = objectId;
      if (options.neighbours !== false) r.neighbours = await neighboursOf(session, settings, address);
      responders.push(r);
    } catch (err) {
      // Silence is the common case in a sweep; anything else is still "not a responder".
      if (err instanceof SnmpError && err.code === SnmpErrorCodes.ABORTED) throw err;
    } finally {
      session.close();
      done++;
      options.onProgress?.({ done, total, found: responders.length, address });
    }
  }

  async function worker(): Promise<void> {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      if (options.signal?.aborted) return;
      await probe(next.value);
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, () => worker())).catch((err) => {
    if (!(err instanceof SnmpError && err.code === SnmpErrorCodes.ABORTED)) throw err;
  });
  responders.sort((a, b) => parseCidr(a.address).first - parseCidr(b.address).first);
  const taken = new Set<string>();
  const devices = responders.map<Device>((r) => ({
    id: deviceId(r.name, r.address, taken),
    name: r.name ?? r.address,
    host: r.address,
    ...(port !== 161 ? { port } : {}),
    driver: 'snmp',
    labels: { ...options.labels, profile: r.profile },
    snmp: { ...options.snmp },
  }));
  return { scanned: done, responders, devices };
}

async function neighboursOf(
  session: SnmpSession,
  settings: ReturnType<typeof settingsSchema.parse>,
  address: string,
) {
  const memory: DeviceMemory = {
    bulk: { maxRepetitions: settings.maxRepetitions, backoffs: 0 },
    configuredRepetitions: settings.maxRepetitions,
  };
  const ctx: PartContext = {
    device: { id: address, host: address, driver: 'snmp' },
    settings,
    session,
    memory,
    logger: {
      debug() {},
      info() {},
      warn() {},
      error() {},
      child() {
        return this;
      },
    },
    ts: 0,
    samples: [],
    facts: {},
    partErrors: [],
    emitted: new Set(),
  };
  for (const part of [lldpPart, cdpPart]) {
    try {
      await part.collect(ctx);
    } catch {
      // A device without LLDP/CDP is still a responder.
    }
  }
  return ctx.facts.neighbours ?? [];
}
