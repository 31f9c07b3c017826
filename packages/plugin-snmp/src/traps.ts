/**
 * SNMP trap receiver (v1, v2c, v3) built on net-snmp's Receiver. Each accepted trap becomes a
 * `TrapEvent`: linkDown/linkUp/coldStart/… recognised as `kind`, the device found by source
 * address. Malformed or unauthorised datagrams are counted and dropped, never thrown.
 */
import type { Clock, TrapEvent } from '@ispmonitor/core';
import { systemClock } from '@ispmonitor/core';
import snmp, { type Notification, type Receiver, type Varbind } from 'net-snmp';
import type { z } from 'zod';
import type { trapUserSchema } from './settings.js';
import { decodeCounter64, textValue, VarbindType } from './values.js';

const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const GENERIC_TRAPS = '1.3.6.1.6.3.1.1.5';
/** RFC 3418 generic traps by their last arc (v2) and by their v1 generic-trap number + 1. */
const KINDS = [
  'coldStart',
  'warmStart',
  'linkDown',
  'linkUp',
  'authenticationFailure',
  'egpNeighborLoss',
] as const;

/** Options of `startTrapReceiver`. */
export interface TrapReceiverOptions {
  /** UDP port; 0 picks a free one (see `port` of the result). */
  port: number;
  address: string;
  /** v1/v2c communities accepted. */
  community?: string | string[];
  /** v3 users accepted. */
  users?: Array<z.output<typeof trapUserSchema>>;
  /** Called for every accepted trap. */
  onTrap(event: TrapEvent): void;
  /** Device id of a source address, when known. */
  resolveDevice?(address: string): string | undefined;
  /**
   * Called for datagrams that were dropped: `unauthorised` (unknown community or user, failed
   * authentication) or `malformed`, with the error's name for logs.
   */
  onDropped?(reason: 'unauthorised' | 'malformed', detail: string, source?: string): void;
  clock?: Clock;
}

/** A running trap receiver. */
export interface TrapReceiver {
  /** The port it listens on. */
  readonly port: number;
  /** Traps accepted and datagrams dropped so far. */
  readonly stats: { received: number; dropped: number };
  /** Stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** The recognised kind of a trap OID (`linkDown`, …), if it is a generic one. */
export function trapKind(trapOid: string): string | undefined {
  if (!trapOid.startsWith(`${GENERIC_TRAPS}.`)) return undefined;
  const n = Number(trapOid.slice(GENERIC_TRAPS.length + 1));
  return KINDS[n - 1];
}

function plainValue(vb: Varbind): unknown {
  if (vb.type === VarbindType.Counter64) return decodeCounter64(vb.value);
  if (vb.type === VarbindType.OctetString || vb.type === VarbindType.Opaque) return textValue(vb);
  return vb.value;
}

/** Builds the event of one received notification. */
export function toTrapEvent(
  n: Notification,
  ts: number,
  resolve?: (a: string) => string | undefined,
): TrapEvent {
  const pdu = n.pdu;
  const vbs = Array.isArray(pdu.varbinds) ? pdu.varbinds : [];
  let trapOid: string;
  if (pdu.type === snmp.PduType.Trap) {
    // SNMPv1: generic 0–5 map to the RFC 3418 OIDs; 6 is enterprise.0.specific (RFC 3584).
    const generic = typeof pdu.generic === 'number' ? pdu.generic : 6;
    trapOid =
      generic < 6 ? `${GENERIC_TRAPS}.${generic + 1}` : `${pdu.enterprise ?? '0.0'}.0.${pdu.specific ?? 0}`;
  } else {
    const vb = vbs.find((v) => v.oid === SNMP_TRAP_OID);
    trapOid = typeof vb?.value === 'string' ? vb.value : '';
  }
  const source = n.rinfo.address;
  const event: TrapEvent = {
    source,
    trapOid,
    varbinds: vbs.slice(0, 256).map((vb) => ({
      oid: vb.oid,
      type: String(snmp.ObjectType[vb.type] ?? vb.type),
      value: plainValue(vb),
    })),
    ts,
  };
  const kind = trapKind(trapOid);
  if (kind) event.kind = kind;
  // The UDP source only: a v1 trap's agentAddr is whatever the sender wrote.
  const device = resolve?.(source);
  if (device) event.device = device;
  return event;
}

/** Starts a trap receiver; resolves once it listens, rejects if the port cannot be bound. */
export function startTrapReceiver(options: TrapReceiverOptions): Promise<TrapReceiver> {
  const clock = options.clock ?? systemClock;
  const stats = { received: 0, dropped: 0 };
  return new Promise((resolve, reject) => {
    let started = false;
    let receiver: Receiver;
    const onMessage = (error: (Error & { rinfo?: { address: string } }) | null, n?: Notification) => {
      if (error || !n) {
        if (!started) {
          started = true;
          return reject(error ?? new Error('trap receiver failed to start'));
        }
        stats.dropped++;
        // The error names the reason (e.g. unknown community) but never the community itself.
        const text = `${error?.name ?? ''} ${error?.message ?? ''}`;
        const reason = /community|user|auth|engine|decrypt|digest/i.test(text) ? 'unauthorised' : 'malformed';
        options.onDropped?.(reason, error?.name ?? 'invalid', error?.rinfo?.address);
        return;
      }
      stats.received++;
      try {
        options.onTrap(toTrapEvent(n, clock.now(), options.resolveDevice));
      } catch {
        stats.dropped++;
      }
    };
    try {
      receiver = snmp.createReceiver(
        {
          port: options.port,
          address: options.address,
          transport: options.address.includes(':') ? 'udp6' : 'udp4',
        },
        onMessage,
      );
    } catch (err) {
      return reject(err);
    }
    const auth = receiver.getAuthorizer();
    const communities = options.community === undefined ? [] : [options.community].flat();
    for (const c of communities) auth.addCommunity(c);
    for (const u of options.users ?? []) {
      auth.addUser({
        name: u.username,
        level: u.privProtocol
          ? snmp.SecurityLevel.authPriv
          : u.authProtocol
            ? snmp.SecurityLevel.authNoPriv
            : snmp.SecurityLevel.noAuthNoPriv,
        // The settings' protocol names are net-snmp's own (the schema allows no others).
        authProtocol: u.authProtocol ? snmp.AuthProtocols[u.authProtocol] : undefined,
        authKey: u.authKey,
        privProtocol: u.privProtocol ? snmp.PrivProtocols[u.privProtocol] : undefined,
        privKey: u.privKey,
      });
    }
    const socket = Object.values(receiver.listener.sockets)[0];
    if (!socket) return reject(new Error('trap receiver has no socket'));
    socket.once('listening', () => {
      started = true;
      let closed = false;
      resolve({
        port: socket.address().port,
        stats,
        close: () =>
          new Promise<void>((done) => {
            if (closed) return done();
            closed = true;
            try {
              receiver.close(() => done());
            } catch {
              done();
            }
          }),
      });
    });
  });
}
