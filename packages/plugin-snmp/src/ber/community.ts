/**
 * SNMPv1/v2c requests over one UDP socket, without net-snmp: requests encoded by request.ts,
 * answers decoded by response.ts, matched by request-id, each retried on timeout. This is the
 * poll's hot path (a full walk of a router is 20–60 GETBULKs), so per request it does one
 * encode, one send on a connected socket, one decode and one timer — no request objects,
 * message classes or intermediate writers (`node --cpu-prof`: net-snmp's encoding, decoding and
 * bookkeeping were about a quarter of a poll's JavaScript time, and much of its garbage).
 *
 * Errors are net-snmp-shaped (`name`, `status`, `code`) so `toSnmpError` maps them exactly as it
 * maps net-snmp's, and the messages users see do not change with the transport.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Varbind } from 'net-snmp';
import { encodeRequest, type OidOctets, PduTag } from './request.js';
import { BerError, type CommunityMessage, decodeCommunityMessage } from './response.js';

/** ResponseInvalidError codes of net-snmp that this transport reports (values as net-snmp's). */
const Invalid = { EReqResOidNoMatch: 2, EVersionNoMatch: 4, ECommunityNoMatch: 5, EUnknownPduType: 7 };
/** RFC 3416 error-status genErr, used for statuses we do not know. */
const GEN_ERR = 5;

/** Errors shaped as net-snmp's, for `toSnmpError`. */
function timedOut(): Error {
  const e = new Error('Request timed out');
  e.name = 'RequestTimedOutError';
  return e;
}
function failed(status: number): Error {
  const e = new Error(`error-status ${status}`) as Error & { status: number };
  e.name = 'RequestFailedError';
  e.status = status >= 1 && status <= 18 ? status : GEN_ERR;
  return e;
}
function invalid(code: number, message: string): Error {
  const e = new Error(message) as Error & { code: number };
  e.name = 'ResponseInvalidError';
  e.code = code;
  return e;
}

interface Pending {
  requestId: number;
  message: Buffer;
  /** The answer is checked but its varbinds are left in the datagram (`requestRaw`). */
  raw: boolean;
  tries: number;
  timer: NodeJS.Timeout | undefined;
  done: (err: Error | null, msg?: CommunityMessage) => void;
}

/** Options of a transport. */
export interface CommunityOptions {
  host: string;
  port: number;
  family: 'udp4' | 'udp6';
  version: 0 | 1;
  community: string;
  timeoutMs: number;
  retries: number;
}

/** One socket, any number of outstanding requests. */
export class CommunityTransport {
  readonly socket: Socket;
  readonly #opts: CommunityOptions;
  readonly #community: Buffer;
  /**
   * Requests awaiting an answer: an array searched by request-id, as a walk has one at a time (a
   * Map's table was regrown and shrunk with each request).
   */
  readonly #pending: Pending[] = [];
  /**
   * One timer for the transport, re-armed with `refresh()` for each request: a walk sends its
   * requests one after another, and a new timer per request (plus clearing it on the answer)
   * made and destroyed Node's timer list for this duration each time. It times the request in
   * `#timed`; a request sent while another is timed (not done by our walks) gets a timer of its own.
   */
  #timer: NodeJS.Timeout | undefined;
  #timed: Pending | undefined;
  #nextId = 1 + Math.floor(Math.random() * 0x3fffffff);
  #connected = false;
  #closed = false;
  /** Datagrams sent, retries included. */
  datagrams = 0;

  constructor(opts: CommunityOptions) {
    this.#opts = opts;
    this.#community = Buffer.from(opts.community, 'utf8');
    this.socket = createSocket(opts.family);
    // Pending requests hold timers, which keep the process alive while they are due.
    this.socket.unref();
    this.socket.on('message', (buf: Buffer) => {
      try {
        this.#onMessage(buf);
      } catch {
        // #onMessage fails requests itself; nothing may escape into the event loop.
      }
    });
  }

  /** Marks the socket connected (the session connects it); sends then go without an address. */
  set connected(ok: boolean) {
    this.#connected = ok;
  }

  /** Sends one request; resolves with its answer's varbinds (flat, in answer order). */
  request(tag: number, oids: readonly string[], a: number, b: number): Promise<Varbind[]> {
    return this.#request(tag, oids, a, b, false) as Promise<Varbind[]>;
  }

  /**
   * Sends one request; resolves with its checked answer, the varbinds left in the datagram for
   * `VarbindReader` (no object per varbind). OIDs may be given as contents octets.
   */
  requestRaw(
    tag: number,
    oids: readonly (string | OidOctets)[],
    a: number,
    b: number,
  ): Promise<CommunityMessage> {
    return this.#request(tag, oids, a, b, true) as Promise<CommunityMessage>;
  }

  #request(
    tag: number,
    oids: readonly (string | OidOctets)[],
    a: number,
    b: number,
    raw: boolean,
  ): Promise<Varbind[] | CommunityMessage> {
    const requestId = this.#nextId;
    this.#nextId = this.#nextId >= 0x7ffffffe ? 1 : this.#nextId + 1;
    const message = encodeRequest({
      version: this.#opts.version,
      community: this.#community,
      tag,
      requestId,
      a,
      b,
      oids,
    });
    return new Promise<Varbind[] | CommunityMessage>((resolve, reject) => {
      const p: Pending = {
        requestId,
        message,
        raw,
        tries: this.#opts.retries + 1,
        timer: undefined,
        done: (err, msg) => {
          if (p.timer) clearTimeout(p.timer);
          if (this.#timed === p) {
            this.#timed = undefined;
            // Left armed (a no-op when it fires) so the next request re-arms it without a new
            // timer; unref'd so an idle transport keeps nobody alive.
            this.#timer?.unref();
          }
          this.#forget(p);
          if (err) return reject(err);
          try {
            const checked = this.#check(tag, oids.length, msg as CommunityMessage);
            resolve(raw ? checked : checked.varbinds);
          } catch (e) {
            reject(e);
          }
        },
      };
      this.#pending.push(p);
      this.#send(p);
    });
  }

  #send(p: Pending): void {
    if (this.#closed) return;
    p.tries--;
    this.datagrams++;
    try {
      // On the connected socket the datagram goes out in this call, with no address lookup and
      // no completion callback (a callback costs a request object and a later turn per send);
      // a failed send there (an earlier ICMP error) is lost like a dropped datagram and retried
      // on timeout. Unconnected (the connect failed), errors such as a name that does not
      // resolve come to the callback and fail the request.
      if (this.#connected) this.socket.send(p.message);
      else
        this.socket.send(p.message, this.#opts.port, this.#opts.host, (err) => {
          if (err) p.done(err);
        });
    } catch (err) {
      p.done(err as Error);
      return;
    }
    if (this.#timed === undefined || this.#timed === p) {
      this.#timed = p;
      if (this.#timer) this.#timer.refresh().ref();
      else this.#timer = setTimeout(() => this.#onTimer(), this.#opts.timeoutMs);
      return;
    }
    p.timer = setTimeout(() => {
      p.timer = undefined;
      this.#expired(p);
    }, this.#opts.timeoutMs);
  }

  /** The shared timer fired: the request it timed (if still pending) ran out of time. */
  #onTimer(): void {
    const p = this.#timed;
    this.#timed = undefined;
    if (p) this.#expired(p);
  }

  #expired(p: Pending): void {
    if (p.tries > 0) this.#send(p);
    else p.done(timedOut());
  }

  #onMessage(buf: Buffer): void {
    let msg: CommunityMessage;
    try {
      msg = decodeCommunityMessage(buf, this.#isRaw);
    } catch (err) {
      const id = err instanceof BerError ? err.requestId : undefined;
      const p = id === undefined ? undefined : this.#find(id);
      // Not an answer to anything we asked (no readable request-id, or not ours): ignored.
      if (p) p.done(err as Error);
      return;
    }
    this.#find(msg.requestId)?.done(null, msg);
  }

  /** The pending request with this id. */
  #find(requestId: number): Pending | undefined {
    for (const p of this.#pending) if (p.requestId === requestId) return p;
    return undefined;
  }

  /** Removes a request from the pending ones (if there). */
  #forget(p: Pending): void {
    const pending = this.#pending;
    const at = pending.indexOf(p);
    if (at < 0) return;
    // Order does not matter: the last takes its place.
    const last = pending.pop() as Pending;
    if (at < pending.length) pending[at] = last;
  }

  /** Whether the request with this id wants its answer left in the datagram. */
  readonly #isRaw = (requestId: number): boolean => this.#find(requestId)?.raw === true;

  /** Checks an answer the way net-snmp did. */
  #check(tag: number, asked: number, msg: CommunityMessage): CommunityMessage {
    if (msg.version !== this.#opts.version) throw invalid(Invalid.EVersionNoMatch, 'version mismatch');
    if (this.#community.compare(msg.buf, msg.communityStart, msg.communityEnd) !== 0)
      throw invalid(Invalid.ECommunityNoMatch, 'community mismatch');
    if (msg.tag !== PduTag.response) throw invalid(Invalid.EUnknownPduType, 'not a Response PDU');
    if (msg.errorStatus > 0) throw failed(msg.errorStatus);
    if (tag !== PduTag.getBulk && msg.count !== asked) {
      throw invalid(Invalid.EReqResOidNoMatch, 'varbind count differs from the request');
    }
    return msg;
  }

  /** Fails every pending request with `err` and closes the socket. Idempotent. */
  close(err: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of [...this.#pending]) p.done(err);
    if (this.#timer) clearTimeout(this.#timer);
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
  }
}
