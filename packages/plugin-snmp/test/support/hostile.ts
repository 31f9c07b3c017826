/**
 * A hostile SNMP agent on loopback: answers the system group sanely (or not) and table walks in
 * one of several broken ways, so tests can prove the driver contains every one of them.
 */
import { createSocket, type Socket } from 'node:dgram';
import { decodeRequest, type Request, response, type Value } from './ber.js';

/** How the agent misbehaves. */
export type HostileMode =
  | 'silent'
  | 'wrong-request-id'
  | 'garbage'
  | 'truncated'
  | 'giant-string'
  | 'wrong-types'
  | 'non-increasing'
  | 'endless'
  | 'too-big'
  | 'unknown-type';

const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const IF_DESCR = '1.3.6.1.2.1.2.2.1.2';

/** A running hostile agent. */
export interface HostileAgent {
  port: number;
  /** Requests received, by PDU type (0xa0 get, 0xa5 getbulk, …). */
  received: Request[];
  close(): Promise<void>;
}

function sane(oid: string): Value | undefined {
  if (oid === SYS_DESCR) return { type: 'string', value: 'hostile test agent' };
  if (oid === SYS_OBJECT_ID) return { type: 'oid', value: '1.3.6.1.4.1.99999.1' };
  if (oid === SYS_UPTIME) return { type: 'ticks', value: 12345 };
  return undefined;
}

function systemReply(mode: HostileMode, req: Request): Array<[string, Value]> {
  return req.oids.map((oid): [string, Value] => {
    if (mode === 'giant-string' && oid === SYS_DESCR)
      return [oid, { type: 'string', value: 'x'.repeat(60_000) }];
    if (mode === 'wrong-types') {
      if (oid === SYS_UPTIME) return [oid, { type: 'string', value: 'not a number' }];
      if (oid === SYS_OBJECT_ID) return [oid, { type: 'int', value: -7 }];
      if (oid === SYS_DESCR) return [oid, { type: 'counter32', value: 5 }];
    }
    return [oid, sane(oid) ?? { type: 'raw', value: Buffer.from([0x80, 0x00]) }];
  });
}

let endlessCounter = 0;

function bulkReply(
  mode: HostileMode,
  req: Request,
): { varbinds: Array<[string, Value]>; errorStatus?: number } {
  const reps = Math.max(1, Math.min(req.maxRepetitions, 50));
  const out: Array<[string, Value]> = [];
  if (mode === 'too-big' && req.maxRepetitions > 5) return { varbinds: [], errorStatus: 1 };
  for (let r = 0; r < reps; r++) {
    for (const oid of req.oids) {
      if (mode === 'non-increasing') {
        // Always the first row again: a walk that would never end.
        out.push([
          oid.startsWith(IF_DESCR) ? `${IF_DESCR}.1` : `${oid}.1`,
          { type: 'string', value: 'loop' },
        ]);
      } else if (mode === 'endless' && oid.startsWith(IF_DESCR)) {
        endlessCounter++;
        out.push([`${IF_DESCR}.${endlessCounter}`, { type: 'string', value: `if${endlessCounter}` }]);
      } else if (mode === 'wrong-types' && oid.startsWith('1.3.6.1.2.1.2.2.1')) {
        const idx = Number(oid.split('.')[10] ?? 0) + r + 1;
        out.push([
          `1.3.6.1.2.1.2.2.1.${oid.split('.')[9]}.${idx}`,
          idx > 3 ? { type: 'endOfMibView' } : { type: 'oid', value: '1.3' },
        ]);
      } else if (mode === 'too-big' && oid.startsWith(IF_DESCR)) {
        const idx = Number(oid.split('.')[10] ?? 0) + r + 1;
        out.push(
          idx <= 20
            ? [`${IF_DESCR}.${idx}`, { type: 'string', value: `port${idx}` }]
            : ['1.3.6.1.2.1.2.2.1.3.1', { type: 'int', value: 6 }],
        );
      } else {
        out.push([oid, { type: 'endOfMibView' }]);
      }
    }
  }
  return { varbinds: out };
}

/** Starts a hostile agent on 127.0.0.1 and a free port. */
export async function startHostileAgent(mode: HostileMode): Promise<HostileAgent> {
  const socket: Socket = createSocket('udp4');
  const received: Request[] = [];
  socket.on('message', (msg, rinfo) => {
    let req: Request;
    try {
      req = decodeRequest(msg);
    } catch {
      return;
    }
    received.push(req);
    if (mode === 'silent') return;
    let reply: Buffer;
    if (req.pduType === 0xa5) {
      const { varbinds, errorStatus } = bulkReply(mode, req);
      reply = response(
        req.version,
        req.community,
        req.requestId,
        varbinds,
        errorStatus ?? 0,
        errorStatus ? 1 : 0,
      );
    } else {
      reply = response(req.version, req.community, req.requestId, systemReply(mode, req));
    }
    if (mode === 'wrong-request-id')
      reply = response(req.version, req.community, req.requestId + 1, systemReply(mode, req));
    if (mode === 'garbage') reply = Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01]);
    if (mode === 'truncated') reply = reply.subarray(0, Math.floor(reply.length / 2));
    if (mode === 'unknown-type') {
      // Replace every varbind value tag with an undefined application tag (0x4f).
      reply = response(
        req.version,
        req.community,
        req.requestId,
        req.oids.map((o) => [o, { type: 'raw', value: Buffer.from([0x4f, 0x01, 0x00]) }]),
      );
    }
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
