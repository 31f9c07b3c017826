/**
 * SNMPv3 engine state kept between polls. net-snmp learns the agent's snmpEngineID, boots and
 * time on the first request of a session (a discovery round trip, RFC 3414 section 4), and a
 * session lives for one poll: without a cache, every v3 poll pays one extra round trip. Here the
 * state a session learned is read out after the poll and written into the next poll's session
 * before its first request, so a v3 poll costs as many round trips as a v2c one.
 *
 * net-snmp keeps that state in undocumented fields of its Session (`msgSecurityParameters`,
 * `engineTime*`, `latestReceivedEngineTime`); they are read and written here and nowhere else, so
 * a change in the library breaks one file. The time notion is kept as net-snmp keeps it — boots
 * and time learned at a monotonic instant — so it keeps advancing between polls (RFC 3414
 * section 2.3) and an agent's reboot or a replaced agent is detected by the agent itself
 * (a notInTimeWindow or unknownEngineID report), after which the driver discovers again.
 */
import type { Session } from 'net-snmp';

/** What one agent told us about its engine, and when (a `performance.now()` reading). */
export interface EngineState {
  /** The authoritative snmpEngineID. */
  readonly engineID: Buffer;
  /** snmpEngineBoots at `receivedAt`. */
  readonly boots: number;
  /** snmpEngineTime at `receivedAt`, in seconds. */
  readonly time: number;
  /** Monotonic milliseconds (`performance.now()`) when boots/time were learned. */
  readonly receivedAt: number;
  /** Highest snmpEngineTime received for these boots (replay guard of net-snmp). */
  readonly latest: number;
  /** Which target and user this was learned for: a change of either discards it. */
  readonly key: string;
}

/** The fields of net-snmp's Session this module touches (3.29.x). */
interface SessionInternals {
  msgSecurityParameters?: {
    msgAuthoritativeEngineID: Buffer;
    msgAuthoritativeEngineBoots: number;
    msgAuthoritativeEngineTime: number;
  };
  engineTimeBoots: number | null;
  engineTimeBase: number | null;
  engineTimeReceivedAt: number | null;
  latestReceivedEngineTime: number | null;
}

/** The cache key of a v3 target: state learned for one user at one address is not reused elsewhere. */
export function engineKey(target: string, username: string, context: string): string {
  return `${target}\u0000${username}\u0000${context}`;
}

/**
 * The engine state a session holds after its requests, or undefined when it never completed a
 * time synchronisation (no authenticated answer: a noAuth user, or the poll failed early).
 */
export function readEngine(session: Session, key: string): EngineState | undefined {
  const s = session as unknown as SessionInternals;
  const params = s.msgSecurityParameters;
  const id = params?.msgAuthoritativeEngineID;
  if (!id || !Buffer.isBuffer(id) || id.length === 0) return undefined;
  if (s.engineTimeBoots === null || s.engineTimeBase === null || s.engineTimeReceivedAt === null)
    return undefined;
  return {
    engineID: Buffer.from(id),
    boots: s.engineTimeBoots,
    time: s.engineTimeBase,
    receivedAt: s.engineTimeReceivedAt,
    latest: s.latestReceivedEngineTime ?? s.engineTimeBase,
    key,
  };
}

/**
 * Seeds a fresh session with cached engine state so its first request goes out authenticated,
 * without discovery. Only before the first request: net-snmp reads these fields on send.
 */
export function writeEngine(session: Session, state: EngineState): void {
  const s = session as unknown as SessionInternals;
  s.msgSecurityParameters = {
    msgAuthoritativeEngineID: Buffer.from(state.engineID),
    msgAuthoritativeEngineBoots: state.boots,
    msgAuthoritativeEngineTime: state.time,
  };
  s.engineTimeBoots = state.boots;
  s.engineTimeBase = state.time;
  s.engineTimeReceivedAt = state.receivedAt;
  s.latestReceivedEngineTime = state.latest;
}
