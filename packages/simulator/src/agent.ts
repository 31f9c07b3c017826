/**
 * What one simulated device does with one datagram: apply its faults, decode, check the
 * community, answer from its view. Pure of sockets so the benchmark can time it alone.
 */
import type { SimDevice } from './model/device.js';
import type { Ctx } from './profiles/index.js';
import { BerError } from './snmp/ber.js';
import { decodeRequest } from './snmp/message.js';
import type { MibView } from './snmp/mib.js';
import { respond } from './snmp/responder.js';

/** Counters of what the simulator did; all only grow. */
export interface AgentStats {
  requests: number;
  responses: number;
  /** Varbinds answered with a value (exceptions and errors not counted). */
  varbinds: number;
  droppedDead: number;
  droppedLoss: number;
  droppedCommunity: number;
  /** Datagrams that were not a well-formed v1/v2c message. */
  malformed: number;
  /** Well-formed messages an agent does not answer (responses, traps, v1 GetBulk). */
  ignored: number;
}

/** A fresh, zeroed stats object. */
export function emptyStats(): AgentStats {
  return {
    requests: 0,
    responses: 0,
    varbinds: 0,
    droppedDead: 0,
    droppedLoss: 0,
    droppedCommunity: 0,
    malformed: 0,
    ignored: 0,
  };
}

/** A device as the agent serves it. */
export interface ServedDevice {
  id: string;
  sim: SimDevice;
  view: MibView<Ctx>;
  community: Buffer;
}

/** The reply to send and after how long, or null for silence. */
export interface Outcome {
  reply: Buffer;
  delayMs: number;
}

/** Largest UDP payload over IPv4; SNMP over UDP cannot send more. */
export const MAX_UDP_PAYLOAD = 65_507;

/** Handles one datagram for one device at `now`. Never throws for anything the peer sent. */
export function handleDatagram(
  msg: Buffer,
  dev: ServedDevice,
  now: number,
  stats: AgentStats,
  maxMessageSize = MAX_UDP_PAYLOAD,
): Outcome | null {
  stats.requests++;
  const sim = dev.sim;
  if (sim.isDead(now)) {
    stats.droppedDead++;
    return null;
  }
  if (sim.dropsRequest()) {
    stats.droppedLoss++;
    return null;
  }
  let req: ReturnType<typeof decodeRequest>;
  try {
    req = decodeRequest(msg);
  } catch (err) {
    if (!(err instanceof BerError)) throw err;
    stats.malformed++;
    return null;
  }
  // A wrong community gets no answer at all, as real agents do (and as RFC 1157 §4.1 allows).
  if (!req.community.equals(dev.community)) {
    stats.droppedCommunity++;
    return null;
  }
  sim.sync(now);
  const answer = respond(req, dev.view, { dev: sim, now }, { maxMessageSize });
  if (!answer) {
    stats.ignored++;
    return null;
  }
  stats.responses++;
  stats.varbinds += answer.varbinds;
  return { reply: answer.reply, delayMs: sim.delayMs(answer.varbinds) };
}
