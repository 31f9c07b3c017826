/**
 * The CA of a router's API-SSL certificate, `device.mikrotik.ca`: PEM text, or the path of a PEM
 * file. Text that holds `-----BEGIN` is PEM; anything else is a path.
 *
 * A path is read only for devices of the config file (or of the code that made the monitor):
 * never for a device added through the API, so an API caller cannot make the process open
 * `/dev/zero`, a FIFO or a 10 GB file, nor learn from an error whether some file exists. Config
 * paths are read asynchronously when the device is loaded: opened without blocking, regular
 * files only, at most `MAX_CA_BYTES`, and checked to be PEM certificates. The results are kept in
 * a bounded cache.
 */

import { X509Certificate } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { type MikrotikError, MikrotikErrorCodes, mikrotikError } from '../errors.js';

/** Largest CA accepted, as text or file: a bundle of a few dozen certificates. */
export const MAX_CA_BYTES = 64 * 1024;
/** Longest path accepted. */
const MAX_PATH = 4096;
/** CA files remembered at once; the oldest is dropped past it. */
const MAX_CACHED = 256;

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Whether `ca` is PEM text (as opposed to a file path). */
export function isPemText(ca: string): boolean {
  return ca.includes('-----BEGIN');
}

/**
 * Why `text` is not a usable CA, or undefined when it is: one or more PEM `CERTIFICATE` blocks
 * (each a parseable X.509 certificate), nothing else PEM-encoded (a private key pasted by
 * mistake is refused), at most `MAX_CA_BYTES`. The reason never quotes the text.
 */
export function pemProblem(text: string): string | undefined {
  if (Buffer.byteLength(text, 'utf8') > MAX_CA_BYTES) return `larger than ${MAX_CA_BYTES / 1024} KiB`;
  let certificates = 0;
  for (const m of text.matchAll(BLOCK)) {
    if (m[1] !== 'CERTIFICATE') return `holds a PEM block that is not a certificate (${m[1]?.slice(0, 32)})`;
    try {
      new X509Certificate(m[0]);
    } catch {
      return 'holds a certificate block that is not a valid X.509 certificate';
    }
    certificates++;
  }
  return certificates === 0 ? 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)' : undefined;
}

/** Why `ca` cannot be a setting at all (neither a usable PEM text nor an absolute path). */
export function caSettingProblem(ca: string): string | undefined {
  if (isPemText(ca)) {
    const why = pemProblem(ca);
    return why && `the PEM text ${why}`;
  }
  if (ca.length > MAX_PATH || ca.includes('\u0000') || !isAbsolute(ca)) {
    return 'expected PEM text (-----BEGIN CERTIFICATE-----), or an absolute file path in the config file';
  }
  return undefined;
}

/**
 * Reads a CA file: opened without blocking (a FIFO does not hang the open), a regular file only,
 * at most `MAX_CA_BYTES`, PEM certificates only. Rejects with a `MikrotikError` that says why but
 * not which path (the caller logs the path for the operator).
 */
export async function readCaFile(path: string): Promise<string> {
  const fail = (why: string, cause?: unknown): MikrotikError =>
    mikrotikError(MikrotikErrorCodes.CONFIG, `the CA file ${why}`, cause);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw fail(`cannot be opened (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw fail('is not a regular file');
    if (info.size > MAX_CA_BYTES) throw fail(`is larger than ${MAX_CA_BYTES / 1024} KiB`);
    // Read at most one byte past the cap: a file that grows after the stat is still bounded.
    const buf = Buffer.alloc(MAX_CA_BYTES + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > MAX_CA_BYTES) throw fail(`is larger than ${MAX_CA_BYTES / 1024} KiB`);
    }
    const text = buf.toString('utf8', 0, got);
    const why = pemProblem(text);
    if (why) throw fail(why);
    return text;
  } finally {
    await handle.close().catch(() => {});
  }
}

/** CA files of config devices, each read once; a bounded cache. */
export class CaFiles {
  readonly #read = new Map<string, Promise<string>>();

  /** The PEM text of `path`, read now or earlier. A failed read is tried again next time. */
  get(path: string): Promise<string> {
    const hit = this.#read.get(path);
    if (hit) {
      // Most recently used last: the oldest entry is the one dropped.
      this.#read.delete(path);
      this.#read.set(path, hit);
      return hit;
    }
    const read = readCaFile(path);
    read.catch(() => {
      if (this.#read.get(path) === read) this.#read.delete(path);
    });
    this.#read.set(path, read);
    if (this.#read.size > MAX_CACHED) this.#read.delete(this.#read.keys().next().value as string);
    return read;
  }

  /** Forgets `path` (the device that named it changed or went), or every file. */
  forget(path?: string): void {
    if (path === undefined) this.#read.clear();
    else this.#read.delete(path);
  }

  /** Files held. */
  get size(): number {
    return this.#read.size;
  }
}
