import { Readable } from 'node:stream';
import { type Bus, catalog, type Sample } from '@ispmonitor/core';

const NAME_BAD = /[^a-zA-Z0-9_:]/g;
const LABEL_BAD = /[^a-zA-Z0-9_]/g;

const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function metricName(name: string): string {
  const clean = name.replace(NAME_BAD, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

function formatValue(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

const labelNames = new Map<string, string>();

/**
 * A sample's label name as Prometheus conventions want it (snake_case, as `promtool check metrics`
 * checks): `ifName` → `if_name`; anything outside `[a-zA-Z0-9_]` becomes `_`.
 */
export function labelName(k: string): string {
  let name = labelNames.get(k);
  if (name === undefined) {
    name = k
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(LABEL_BAD, '_')
      .toLowerCase();
    // Label names are few (a driver's vocabulary); a flood of odd ones only stops being remembered.
    if (labelNames.size < 10_000) labelNames.set(k, name);
  }
  return name;
}

/** One exposition line; label names are sanitised, values escaped, so no device text can break the format. */
function line(name: string, s: Sample): string {
  const keys = Object.keys(s.labels).sort();
  let labels = '';
  for (const k of keys) {
    const v = s.labels[k];
    if (v === undefined) continue;
    let key = labelName(k);
    if (/^[0-9]/.test(key) || key.startsWith('__')) key = `l_${key}`;
    labels += `${labels ? ',' : ''}${key}="${escapeValue(String(v))}"`;
  }
  return `${name}{${labels}} ${formatValue(s.value)}\n`;
}

/** Bytes a scrape writes at once: large enough that per-write costs vanish, small enough to stream. */
const CHUNK_BYTES = 1 << 20;

/**
 * The latest samples of every device, in the Prometheus text format the way snmp_exporter serves
 * them. Each device's lines are rendered and UTF-8 encoded once when its samples arrive (one
 * Buffer per metric family), so a scrape only copies ready bytes: one device (`?target=`), or
 * all devices with each family's lines kept together as the format requires, in ~1 MB chunks.
 */
export class DeviceMetrics {
  readonly #headers = new Map<string, Buffer>();
  #familyOrder: string[] = [];
  readonly #devices = new Map<string, Map<string, Buffer>>();
  readonly #offs: Array<() => void> = [];

  constructor(bus?: Bus) {
    for (const def of Object.values(catalog)) this.#family(def.name, def.type, def.help);
    if (bus) {
      this.#offs.push(
        // A poll's samples always hold `device_up` and replace the device's series; samples a
        // plugin adds between polls (a recorder's counts) join the latest poll's instead.
        bus.on('samples', ({ device, samples }) =>
          samples.some((s) => s.name === catalog.deviceUp.name)
            ? this.update(device.id, samples)
            : this.merge(device.id, samples),
        ),
        bus.on('device:removed', ({ device }) => this.remove(device.id)),
      );
    }
  }

  #family(raw: string, type = 'untyped', help = ''): string {
    const name = metricName(raw);
    if (!this.#headers.has(name)) {
      const h = help ? `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n` : '';
      this.#headers.set(name, Buffer.from(`${h}# TYPE ${name} ${type}\n`));
      this.#familyOrder = [...this.#headers.keys()].sort();
    }
    return name;
  }

  /** Replaces a device's series with the samples of its latest poll. */
  update(deviceId: string, samples: readonly Sample[]): void {
    this.#devices.set(deviceId, this.#encode(samples));
  }

  /** Replaces only the families these samples belong to, keeping the device's other series. */
  merge(deviceId: string, samples: readonly Sample[]): void {
    const device = this.#devices.get(deviceId) ?? new Map<string, Buffer>();
    for (const [name, body] of this.#encode(samples)) device.set(name, body);
    this.#devices.set(deviceId, device);
  }

  /** Each family's lines, rendered and UTF-8 encoded once. */
  #encode(samples: readonly Sample[]): Map<string, Buffer> {
    const text = new Map<string, string>();
    for (const s of samples) {
      const name = this.#family(s.name);
      text.set(name, (text.get(name) ?? '') + line(name, s));
    }
    const encoded = new Map<string, Buffer>();
    for (const [name, body] of text) encoded.set(name, Buffer.from(body));
    return encoded;
  }

  remove(deviceId: string): void {
    this.#devices.delete(deviceId);
  }

  has(deviceId: string): boolean {
    return this.#devices.has(deviceId);
  }

  get deviceCount(): number {
    return this.#devices.size;
  }

  /** The exposition of one device, or undefined when it has not been polled yet. */
  renderDevice(deviceId: string): Buffer | undefined {
    const device = this.#devices.get(deviceId);
    if (!device) return undefined;
    const parts: Buffer[] = [];
    for (const name of this.#familyOrder) {
      const body = device.get(name);
      if (body) parts.push(this.#headers.get(name) as Buffer, body);
    }
    return Buffer.concat(parts);
  }

  /**
   * Every device's series (or those `include` accepts), one family at a time, as Buffers of
   * about `chunkBytes`.
   */
  *chunks(chunkBytes = CHUNK_BYTES, include?: (deviceId: string) => boolean): Generator<Buffer> {
    const devices = include
      ? [...this.#devices].filter(([id]) => include(id)).map(([, d]) => d)
      : [...this.#devices.values()];
    let parts: Buffer[] = [];
    let size = 0;
    const add = (b: Buffer) => {
      parts.push(b);
      size += b.length;
    };
    for (const name of this.#familyOrder) {
      let started = false;
      for (const device of devices) {
        const body = device.get(name);
        if (!body) continue;
        if (!started) {
          add(this.#headers.get(name) as Buffer);
          started = true;
        }
        add(body);
        if (size >= chunkBytes) {
          yield Buffer.concat(parts, size);
          parts = [];
          size = 0;
        }
      }
    }
    if (size > 0) yield Buffer.concat(parts, size);
  }

  /** A byte stream of `chunks()` for an HTTP reply; it waits while the client is slow. */
  stream(include?: (deviceId: string) => boolean): Readable {
    return Readable.from(this.chunks(CHUNK_BYTES, include), {
      objectMode: false,
      highWaterMark: CHUNK_BYTES,
    });
  }

  close(): void {
    for (const off of this.#offs) off();
  }
}
