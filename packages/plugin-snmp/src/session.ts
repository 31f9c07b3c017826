/**
 * One SNMP session (one UDP socket) per poll, made safe to use against any peer: a datagram that
 * does not decode fails the pending request instead of throwing out of the socket handler, the
 * session closes exactly once on every path, and an abort closes it so the poll ends at once.
 * SNMPv1/v2c go through our own transport (ber/community.ts: the hot path of every poll); SNMPv3
 * (discovery, authentication, privacy) through net-snmp.
 */
import type { Socket } from 'node:dgram';
import snmp, { type Session, type Varbind } from 'net-snmp';
import { CommunityTransport } from './ber/community.js';
import { type OidOctets, PduTag } from './ber/request.js';
import { BerError, type CommunityMessage } from './ber/response.js';
import { installFastOidReader } from './ber-oid.js';
import { type EngineState, readEngine, writeEngine } from './engine-cache.js';
import { SnmpError, SnmpErrorCodes, toSnmpError } from './errors.js';
import type { SnmpSettings } from './settings.js';

const AUTH: Record<string, number> = {
  md5: snmp.AuthProtocols.md5,
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
};
const PRIV: Record<string, number> = {
  aes: snmp.PrivProtocols.aes,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
  des: snmp.PrivProtocols.des,
};

/** What a session needs besides the settings. */
export interface SessionTarget {
  host: string;
  port: number;
}

/** A promise-based, abortable, always-closed SNMP session. */
export class SnmpSession {
  /** net-snmp's session, for SNMPv3 only. */
  readonly #session: Session | undefined;
  /** Our transport, for SNMPv1/v2c. */
  readonly #community: CommunityTransport | undefined;
  readonly #socket: Socket;
  readonly #where: { target: string; timeoutMs: number; tries: number };
  readonly #signal: AbortSignal | undefined;
  #closed = false;
  /** 0 for SNMPv1, 1 for SNMPv2c, 3 for SNMPv3. */
  readonly #version: number;
  /** Whether the socket is connected to the target (see `#connect`). */
  #connected = false;
  /** Pending until the connect settles; requests wait for it. */
  #connecting: Promise<void> | undefined;
  #settleConnect: ((ok: boolean) => void) | undefined;
  readonly #onAbort = () => this.close();
  /** Requests sent, for self-metrics and benchmarks. */
  requests = 0;
  /** Varbinds received. */
  varbinds = 0;
  /** Datagrams net-snmp sent (v3). */
  #sent = 0;

  /** Datagrams sent (requests, SNMPv3 discovery and resends after a report, retries): the round trips. */
  get datagrams(): number {
    return this.#sent + (this.#community?.datagrams ?? 0);
  }

  /**
   * @param engine SNMPv3 engine state from an earlier poll of the same target and user: the first
   *   request then skips discovery (see engine-cache.ts). Ignored for v1/v2c.
   */
  constructor(target: SessionTarget, settings: SnmpSettings, signal?: AbortSignal, engine?: EngineState) {
    installFastOidReader();
    const options = {
      port: target.port,
      retries: settings.retries,
      timeout: settings.timeout,
      // Always explicit: net-snmp defaults to v1, which cannot read Counter64.
      version:
        settings.version === '1' ? snmp.Version1 : settings.version === '2c' ? snmp.Version2c : snmp.Version3,
      transport: target.host.includes(':') ? ('udp6' as const) : ('udp4' as const),
      context: settings.context ?? '',
    };
    this.#version = settings.version === '1' ? 0 : settings.version === '2c' ? 1 : 3;
    this.#where = {
      target: `${target.host}:${target.port}`,
      timeoutMs: settings.timeout,
      tries: settings.retries + 1,
    };
    if (settings.version === '3') {
      const level = settings.privProtocol
        ? snmp.SecurityLevel.authPriv
        : settings.authProtocol
          ? snmp.SecurityLevel.authNoPriv
          : snmp.SecurityLevel.noAuthNoPriv;
      this.#community = undefined;
      this.#session = snmp.createV3Session(
        target.host,
        {
          name: settings.username ?? '',
          level,
          authProtocol: settings.authProtocol ? AUTH[settings.authProtocol] : undefined,
          authKey: settings.authKey,
          privProtocol: settings.privProtocol ? PRIV[settings.privProtocol] : undefined,
          privKey: settings.privKey,
        },
        options,
      );
      this.#socket = this.#session.dgram;
      this.#harden(this.#session);
    } else {
      this.#session = undefined;
      this.#community = new CommunityTransport({
        host: target.host,
        port: target.port,
        family: options.transport,
        version: settings.version === '1' ? 0 : 1,
        community: settings.community ?? '',
        timeoutMs: settings.timeout,
        retries: settings.retries,
      });
      this.#socket = this.#community.socket;
    }
    this.#onSocketError();
    this.#connect(target);
    if (engine && this.#session) writeEngine(this.#session, engine);
    this.#signal = signal;
    if (signal?.aborted) this.close();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Replaces net-snmp's datagram handler with one that cannot throw into the event loop. */
  #harden(s: Session): void {
    s.dgram.removeAllListeners('message');
    s.dgram.on('message', (buffer: Buffer) => {
      try {
        s.onMsg(buffer);
      } catch (err) {
        // A reply that breaks the decoder fails what is pending; a stray datagram changes nothing else.
        s.cancelRequests(
          new SnmpError(
            SnmpErrorCodes.BAD_RESPONSE,
            `${this.#where.target} sent a message that does not decode`,
            { cause: err },
          ),
        );
      }
    });
    // net-snmp emits 'error' for undecodable datagrams; without a listener that would be thrown.
    s.on('error', () => {});
    // Counted at the socket so discovery and retries, which net-snmp sends by itself, are seen too.
    const send = s.dgram.send as (...args: unknown[]) => void;
    (s.dgram as unknown as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
      this.#sent++;
      if (!this.#connected) return send.apply(s.dgram, args);
      // net-snmp passes (buffer, offset, length, port, address, callback). On the connected
      // socket the datagram goes out in this call, without an address lookup or a completion
      // callback (about a sixth of a lean walk's client CPU, measured); net-snmp registers the request
      // for its answer in the callback, so that runs at once. A send that fails here (the socket
      // holds an earlier ICMP error) is lost like a dropped datagram: it is retried on timeout.
      const [buffer, offset, length, , , callback] = args as [
        Buffer,
        number,
        number,
        unknown,
        unknown,
        unknown,
      ];
      send.call(s.dgram, buffer, offset, length);
      if (typeof callback === 'function') callback(null, length);
    };
  }

  #onSocketError(): void {
    this.#socket.on('error', (err: NodeJS.ErrnoException) => {
      // A failed connect (a name that does not resolve): stay unconnected, so the first send
      // reports it as before. An ICMP port-unreachable on the connected socket: the request
      // keeps waiting and is retried, and the device is reported as not answering, as it was
      // when the socket was not connected and the kernel kept such errors to itself.
      if (this.#settleConnect) return this.#settleConnect(false);
      if (err?.code === 'ECONNREFUSED') return;
      this.close();
    });
  }

  /**
   * Connects the UDP socket to the target before the first request: every send then skips
   * Node's per-datagram address lookup and completion callback, and the kernel drops datagrams
   * from any other address. Until the connect settles, requests wait (one event-loop turn).
   */
  #connect(target: SessionTarget): void {
    this.#connecting = new Promise<void>((resolve) => {
      this.#settleConnect = (ok: boolean) => {
        this.#settleConnect = undefined;
        this.#connecting = undefined;
        this.#connected = ok && !this.#closed;
        if (this.#community) this.#community.connected = this.#connected;
        resolve();
      };
    });
    try {
      this.#socket.connect(target.port, target.host, () => this.#settleConnect?.(true));
    } catch {
      this.#settleConnect?.(false);
    }
  }

  /** The SNMPv3 engine state this session has learned so far (undefined for v1/v2c or before an authenticated answer). */
  engine(key: string): EngineState | undefined {
    return this.#session ? readEngine(this.#session, key) : undefined;
  }

  /** Whether the session was closed (by `close()` or an abort). */
  get closed(): boolean {
    return this.#closed;
  }

  /** The `host:port` this session talks to. */
  get target(): string {
    return this.#where.target;
  }

  /** One request on our v1/v2c transport, errors mapped as net-snmp's are. */
  async #ask(t: CommunityTransport, tag: number, oids: string[], a: number, b: number): Promise<Varbind[]> {
    if (this.#closed) throw this.#abortError();
    if (this.#connecting) await this.#connecting;
    if (this.#closed) throw this.#abortError();
    this.requests++;
    try {
      return await t.request(tag, oids, a, b);
    } catch (err) {
      throw this.#mapError(err);
    }
  }

  /** A failed request of our transport as the SnmpError callers see (as net-snmp's were mapped). */
  #mapError(err: unknown): SnmpError {
    if (this.#closed) return this.#abortError();
    if (err instanceof BerError) {
      return new SnmpError(
        SnmpErrorCodes.BAD_RESPONSE,
        `${this.#where.target} sent a message that does not decode`,
        { cause: err },
      );
    }
    return toSnmpError(err, this.#where);
  }

  /** net-snmp's session: it exists whenever the transport does not. */
  get #v3(): Session {
    return this.#session as Session;
  }

  #call<T>(send: (cb: (error: Error | null, varbinds?: unknown[]) => void) => void): Promise<T> {
    if (this.#closed) return Promise.reject(this.#abortError());
    if (this.#connecting) return this.#connecting.then(() => this.#call<T>(send));
    this.requests++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const done = (error: Error | null, varbinds?: unknown[]) => {
        if (settled) return;
        settled = true;
        if (this.#closed && (error || !varbinds)) return reject(this.#abortError());
        if (error) return reject(toSnmpError(error, this.#where));
        resolve(varbinds as T);
      };
      try {
        send(done);
      } catch (err) {
        done(err as Error);
      }
    });
  }

  #abortError(): SnmpError {
    const reason = this.#signal?.reason;
    const why = reason instanceof Error ? reason.message : reason ? String(reason) : 'session closed';
    return new SnmpError(SnmpErrorCodes.ABORTED, `poll of ${this.#where.target} aborted: ${why}`);
  }

  /** GET of several instance OIDs. Missing objects come back as exception varbinds. */
  async get(oids: string[]): Promise<Varbind[]> {
    const out = this.#community
      ? await this.#ask(this.#community, PduTag.get, oids, 0, 0)
      : await this.#call<Varbind[]>((cb) => this.#v3.get(oids, cb));
    this.varbinds += out.length;
    return out;
  }

  /**
   * GETBULK with no non-repeaters, the answer flat in the agent's order: varbind r·n + i is
   * repetition r of requested OID i (n = `oids.length`), as RFC 3416 §4.2.3 lays it out. Our
   * transport hands the decoded list over as it is; net-snmp (v3) regroups it by OID, so it is
   * put back in that order here.
   */
  async getBulkFlat(oids: string[], maxRepetitions: number): Promise<Varbind[]> {
    let out: Varbind[];
    if (this.#community) {
      out = await this.#ask(this.#community, PduTag.getBulk, oids, 0, maxRepetitions);
    } else {
      const columns = await this.#call<Varbind[][]>((cb) => this.#v3.getBulk(oids, 0, maxRepetitions, cb));
      out = interleave(columns);
    }
    this.varbinds += out.length;
    return out;
  }

  /** Whether `getBulkRaw` is available: SNMPv2c on our own transport. */
  get rawBulk(): boolean {
    return this.#community !== undefined && this.#version === 1;
  }

  /**
   * GETBULK with no non-repeaters on our transport (see `rawBulk`): the checked answer with its
   * varbinds left in the datagram, read in place by the walk (`VarbindReader`). OIDs may be
   * given as contents octets, as the walk keeps them.
   */
  async getBulkRaw(oids: readonly (string | OidOctets)[], maxRepetitions: number): Promise<CommunityMessage> {
    const t = this.#community as CommunityTransport;
    if (this.#closed) throw this.#abortError();
    if (this.#connecting) await this.#connecting;
    if (this.#closed) throw this.#abortError();
    this.requests++;
    try {
      const msg = await t.requestRaw(PduTag.getBulk, oids, 0, maxRepetitions);
      this.varbinds += msg.count;
      return msg;
    } catch (err) {
      throw this.#mapError(err);
    }
  }

  /** GETNEXT, as one-repetition-free bulk is unavailable in SNMPv1. */
  async getNext(oids: string[]): Promise<Varbind[]> {
    const out = this.#community
      ? await this.#ask(this.#community, PduTag.getNext, oids, 0, 0)
      : await this.#call<Varbind[]>((cb) =>
          (this.#v3 as unknown as { getNext(o: string[], c: typeof cb): void }).getNext(oids, cb),
        );
    this.varbinds += out.length;
    return out;
  }

  /** Closes the socket. Safe to call any number of times. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#settleConnect?.(false);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#community) {
      this.#community.close(new Error('Socket forcibly closed'));
      return;
    }
    try {
      this.#session?.close();
    } catch {
      // Already closed by a socket error: nothing left to release.
    }
  }
}

/** net-snmp's per-OID lists of a GETBULK answer back in answer order (row by row). */
function interleave(columns: Varbind[][]): Varbind[] {
  const out: Varbind[] = [];
  let rows = 0;
  for (const c of columns) if (Array.isArray(c) && c.length > rows) rows = c.length;
  for (let r = 0; r < rows; r++) {
    for (const c of columns) {
      const vb = Array.isArray(c) ? c[r] : undefined;
      if (vb) out.push(vb);
    }
  }
  return out;
}
