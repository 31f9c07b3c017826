/**
 * net-snmp (npm) as a promise-based client for tests. The library ships no types; this file
 * declares the little we use, locally, so it cannot clash with another package's declarations.
 */
import { createRequire } from 'node:module';

/** A varbind as net-snmp returns it. */
export interface NsVarbind {
  oid: string;
  type: number;
  value: unknown;
}

interface NsSession {
  get(oids: string[], cb: (err: Error | null, vbs: NsVarbind[]) => void): void;
  getNext(oids: string[], cb: (err: Error | null, vbs: NsVarbind[]) => void): void;
  getBulk(
    oids: string[],
    nonRep: number,
    maxRep: number,
    cb: (err: Error | null, vbs: NsVarbind[]) => void,
  ): void;
  walk(
    oid: string,
    maxRep: number,
    feed: (vbs: NsVarbind[]) => void,
    done: (err: Error | null) => void,
  ): void;
  on(event: 'error', cb: (err: Error) => void): void;
  close(): void;
}

interface NsModule {
  Version1: number;
  Version2c: number;
  createSession(host: string, community: string, opts: Record<string, unknown>): NsSession;
  isVarbindError(vb: NsVarbind): boolean;
}

/** The net-snmp module. */
export const snmp = createRequire(import.meta.url)('net-snmp') as NsModule;

/** A v1/v2c session with promise methods. */
export class Client {
  private readonly s: NsSession;

  constructor(
    host: string,
    port: number,
    community: string,
    opts: { version?: '1' | '2c'; timeout?: number; retries?: number } = {},
  ) {
    this.s = snmp.createSession(host, community, {
      port,
      version: opts.version === '1' ? snmp.Version1 : snmp.Version2c,
      timeout: opts.timeout ?? 2000,
      retries: opts.retries ?? 0,
    });
    this.s.on('error', () => {});
  }

  private call(fn: (cb: (err: Error | null, vbs: NsVarbind[]) => void) => void): Promise<NsVarbind[]> {
    return new Promise((resolve, reject) => fn((err, vbs) => (err ? reject(err) : resolve(vbs))));
  }

  get(oids: string[]): Promise<NsVarbind[]> {
    return this.call((cb) => this.s.get(oids, cb));
  }

  getNext(oids: string[]): Promise<NsVarbind[]> {
    return this.call((cb) => this.s.getNext(oids, cb));
  }

  getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number): Promise<NsVarbind[]> {
    return this.call((cb) => this.s.getBulk(oids, nonRepeaters, maxRepetitions, cb));
  }

  /** Every varbind from `oid` to the end of the view (GetBulk for v2c). */
  walk(oid: string, maxRepetitions = 25): Promise<NsVarbind[]> {
    const out: NsVarbind[] = [];
    return new Promise((resolve, reject) =>
      this.s.walk(
        oid,
        maxRepetitions,
        (vbs) => {
          out.push(...vbs.filter((v) => !snmp.isVarbindError(v)));
        },
        (err) => (err ? reject(err) : resolve(out)),
      ),
    );
  }

  close(): void {
    this.s.close();
  }
}

/** Decodes a Counter64 value (a big-endian Buffer of any length) exactly. */
export function counter64(v: unknown): bigint {
  const b = v as Buffer;
  let n = 0n;
  for (const byte of b) n = (n << 8n) | BigInt(byte);
  return n;
}
