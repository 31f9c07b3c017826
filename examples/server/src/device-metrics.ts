import { Readable } from 'node:stream';
import { type Bus, catalog, type Sample } from '@ispmonitor/core';

interface Family {
  header: string;
}

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

/** One exposition line; label names are sanitised, values escaped, so no device text can break the format. */
function line(name: string, s: Sample): string {
  const keys = Object.keys(s.labels).sort();
  let labels = '';
  for (const k of keys) {
    const v = s.labels[k];
    if (v === undefined) continue;
    let key = k.replace(LABEL_BAD, '_');
    if (/^[0-9]/.test(key) || key.startsWith('__')) key = `l_${key}`;
    labels += `${labels ? ',' : ''}${key}="${escapeValue(String(v))}"`;
  }
  return `${name}{${labels}} ${formatValue(s.value)}\n`;
}

/**
 * The latest samples of every device, rendered in the Prometheus text format the way
 * snmp_exporter serves them. Each device's lines are rendered once when its samples arrive
 * (grouped by metric family), so a scrape only concatenates ready strings: one device per scrape
 * (`?target=`), or all devices with each family's lines kept together as the format requires.
 */
export class DeviceMetrics {
  readonly #families = new Map<string, Family>();
  #familyOrder: string[] = [];
  readonly #devices = new Map<string, Map<string, string>>();
  readonly #offs: Array<() => void> = [];

  constructor(bus?: Bus) {
    for (const def of Object.values(catalog)) this.#family(def.name, def.type, def.help);
    if (bus) {
      this.#offs.push(
        bus.on('samples', ({ device, samples }) => this.update(device.id, samples)),
        bus.on('device:removed', ({ device }) => this.remove(device.id)),
      );
    }
  }

  #family(raw: string, type = 'untyped', help = ''): string {
    const name = metricName(raw);
    if (!this.#families.has(name)) {
      const h = help ? `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n` : '';
      this.#families.set(name, { header: `${h}# TYPE ${name} ${type}\n` });
      this.#familyOrder = [...this.#families.keys()].sort();
    }
    return name;
  }

  /** Replaces a device's series with the samples of its latest poll. */
  update(deviceId: string, samples: readonly Sample[]): void {
    const chunks = new Map<string, string[]>();
    for (const s of samples) {
      const name = this.#family(s.name);
      let lines = chunks.get(name);
      if (!lines) {
        lines = [];
        chunks.set(name, lines);
      }
      lines.push(line(name, s));
    }
    const rendered = new Map<string, string>();
    for (const [name, lines] of chunks) rendered.set(name, lines.join(''));
    this.#devices.set(deviceId, rendered);
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
  renderDevice(deviceId: string): string | undefined {
    const device = this.#devices.get(deviceId);
    if (!device) return undefined;
    let out = '';
    for (const name of this.#familyOrder) {
      const body = device.get(name);
      if (body) out += (this.#families.get(name) as Family).header + body;
    }
    return out;
  }

  /** Every device's series, one family at a time, as chunks (never one huge string). */
  *chunks(): Generator<string> {
    for (const name of this.#familyOrder) {
      let started = false;
      let buffer = '';
      for (const device of this.#devices.values()) {
        const body = device.get(name);
        if (!body) continue;
        if (!started) {
          buffer = (this.#families.get(name) as Family).header;
          started = true;
        }
        buffer += body;
        if (buffer.length > 1_048_576) {
          yield buffer;
          buffer = '';
        }
      }
      if (buffer) yield buffer;
    }
  }

  /** A stream of `chunks()` for an HTTP reply. */
  stream(): Readable {
    return Readable.from(this.chunks(), { objectMode: false });
  }

  close(): void {
    for (const off of this.#offs) off();
  }
}
