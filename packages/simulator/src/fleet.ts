/**
 * Many simulated SNMP devices in one process, each on its own UDP socket: on consecutive ports
 * of one loopback address, or on one port of distinct 127.x.y.z addresses. Node cannot tell which
 * local address a datagram was sent to, so one socket per device is the way to tell devices
 * apart; 10,000 devices need about 10,050 file descriptors (see the README).
 */
import { createSocket, type Socket } from 'node:dgram';
import { type AgentStats, emptyStats, handleDatagram, MAX_UDP_PAYLOAD, type ServedDevice } from './agent.js';
import { realClock, type SimClock } from './clock.js';
import { SimDevice } from './model/device.js';
import { type FaultPlan, type Faults, faultsFor, validateFaults } from './model/faults.js';
import { getProfile, type ProfileName, profileView } from './profiles/index.js';
import { loadSnmprec } from './snmprec.js';

/** Options of {@link startSnmpFleet}. */
export interface SnmpFleetOptions {
  /** Devices built from profiles. Default 1 (0 when only `snmprec` files are served). */
  count?: number;
  /** Loopback address to bind; default `127.0.0.1`. Only 127.0.0.0/8 and ::1 are accepted. */
  host?: string;
  /**
   * `ports` (default): every device on `host`, ports basePort, basePort+1, …
   * `addresses`: device i on 127.0.1.1 + i, all on `basePort` (useful for port-161 pollers).
   */
  addressing?: 'ports' | 'addresses';
  /** First port; 0 (default) lets the system pick a free port per device. */
  basePort?: number;
  /** Profile of every device, a list to cycle through, or a function of the index. Default mikrotik. */
  profile?: ProfileName | ProfileName[] | ((index: number) => ProfileName);
  /** Physical ports per device (the profile adds its virtual interfaces). Default 24. */
  interfaces?: number;
  /** SNMPv1/v2c community of profile devices. Default `public`. */
  community?: string;
  /** `.snmprec` files to serve, one device each; community = file name unless `community` is set. */
  snmprec?: string[];
  /** Faults for every device or per device. */
  faults?: FaultPlan;
  /** Seed of every random choice (traffic, uptime, loss). Default 1. */
  seed?: number;
  /** Time source; default real time. */
  clock?: SimClock;
  /** Device ids are `${idPrefix}-${index}`. Default `sim`. */
  idPrefix?: string;
  /** Id (and sysName) of profile device `index`, instead of `${idPrefix}-${index}`. */
  id?: (index: number) => string;
  /** Largest reply in bytes (tooBig / bulk truncation above it). Default 65,507. */
  maxMessageSize?: number;
  /** Added to 64-bit counters, to test values beyond 2^53. Default 0. */
  counterBase?: bigint;
}

/** One running simulated device, as a poller sees it. */
export interface FleetDevice {
  id: string;
  host: string;
  port: number;
  community: string;
  /** Profile name, or `snmprec:<name>` for a served recording. */
  profile: string;
  /** The model behind it (uptime, counters, faults), for tests that check what was polled. */
  sim: SimDevice;
}

/** A running fleet. */
export interface SnmpFleet {
  devices: FleetDevice[];
  /** Counters summed over all devices. */
  stats(): AgentStats & { devices: number; pendingReplies: number; internalErrors: number };
  /** Closes every socket; replies still delayed are not sent. Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';

function assertLoopback(host: string): void {
  if (host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return;
  throw new RangeError(`the simulator binds loopback addresses only (127.0.0.0/8, ::1), not "${host}"`);
}

function addressFor(index: number): string {
  const n = 0x7f000101 + index;
  if (n > 0x7ffffffe) throw new RangeError('too many devices for 127.0.0.0/8');
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function bind(socket: Socket, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    socket.once('error', onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket.address().port);
    });
  });
}

/** Starts a fleet; resolves once every socket is bound. */
export async function startSnmpFleet(options: SnmpFleetOptions = {}): Promise<SnmpFleet> {
  const clock = options.clock ?? realClock;
  const host = options.host ?? DEFAULT_HOST;
  assertLoopback(host);
  const recordings = await Promise.all((options.snmprec ?? []).map((p) => loadSnmprec(p)));
  const count = options.count ?? (recordings.length > 0 ? 0 : 1);
  const ports = options.interfaces ?? 24;
  const seed = options.seed ?? 1;
  const prefix = options.idPrefix ?? 'sim';
  const startMs = clock.now();
  const maxSize = Math.min(options.maxMessageSize ?? MAX_UDP_PAYLOAD, MAX_UDP_PAYLOAD);
  const pick = options.profile ?? 'mikrotik';
  const profileOf = (i: number): ProfileName =>
    typeof pick === 'function' ? pick(i) : Array.isArray(pick) ? pick[i % pick.length]! : pick;

  const plan: Array<{ served: ServedDevice; profile: string }> = [];
  const total = count + recordings.length;
  for (let i = 0; i < total; i++) {
    const rec = i >= count ? recordings[i - count]! : undefined;
    const id = rec ? `${prefix}-${rec.name}` : (options.id?.(i) ?? `${prefix}-${i}`);
    const faults = faultsFor(options.faults, i, id);
    validateFaults(faults, id);
    const profile = rec ? undefined : getProfile(profileOf(i));
    const sim = new SimDevice({
      id,
      sysName: id,
      layout: profile ? profile.layout(ports) : [],
      seed,
      startMs,
      faults,
      cpuCount: profile?.cpuCount ?? 1,
      memTotalBytes: profile?.memTotalBytes ?? 0,
      ...(options.counterBase !== undefined ? { counterBase: options.counterBase } : {}),
    });
    const community = options.community ?? (rec ? rec.name : 'public');
    plan.push({
      served: {
        id,
        sim,
        view: rec ? rec.view : profileView(profile!, ports),
        community: Buffer.from(community),
      },
      profile: rec ? `snmprec:${rec.name}` : profile!.name,
    });
  }

  const stats = emptyStats();
  const sockets: Socket[] = [];
  const devices: FleetDevice[] = [];
  let pending = 0;
  let internalErrors = 0;
  let closed = false;
  const addressing = options.addressing ?? 'ports';
  const basePort = options.basePort ?? 0;

  const open = async (i: number): Promise<FleetDevice> => {
    const { served, profile } = plan[i]!;
    const address = addressing === 'addresses' ? addressFor(i) : host;
    const socket = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    sockets.push(socket);
    // A send or receive error on one device's socket must never take the process down.
    socket.on('error', () => {});
    socket.on('message', (msg, rinfo) => {
      let out: ReturnType<typeof handleDatagram>;
      try {
        out = handleDatagram(msg, served, clock.now(), stats, maxSize);
      } catch {
        // A bug of ours (never the peer's input, which handleDatagram absorbs) must not stop
        // the other devices: count it and stay silent, as a crashed agent would.
        internalErrors++;
        return;
      }
      if (!out || closed) return;
      const send = () => {
        if (!closed) socket.send(out.reply, rinfo.port, rinfo.address, () => {});
      };
      if (out.delayMs <= 0) return send();
      pending++;
      clock.setTimeout(() => {
        pending--;
        send();
      }, out.delayMs);
    });
    const want = basePort === 0 ? 0 : addressing === 'addresses' ? basePort : basePort + i;
    const port = await bind(socket, want, address);
    return {
      id: served.id,
      host: address,
      port,
      community: served.community.toString(),
      profile,
      sim: served.sim,
    };
  };

  try {
    // Bind in slices so thousands of binds do not queue at once.
    for (let i = 0; i < plan.length; i += 500) {
      const slice = plan.slice(i, i + 500).map((_, k) => open(i + k));
      devices.push(...(await Promise.all(slice)));
    }
  } catch (err) {
    closed = true;
    for (const s of sockets) s.close();
    throw err;
  }

  return {
    devices,
    stats: () => ({ ...stats, devices: devices.length, pendingReplies: pending, internalErrors }),
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** A single simulated agent: a fleet of one. */
export interface SnmpAgent extends FleetDevice {
  stats: SnmpFleet['stats'];
  close(): Promise<void>;
}

/** Options of {@link startSnmpAgent}: a fleet's, for one device (`snmprec` serves one file). */
export type SnmpAgentOptions = Omit<SnmpFleetOptions, 'count' | 'snmprec' | 'profile' | 'faults'> & {
  profile?: ProfileName;
  /** Serve this recording instead of a profile. */
  snmprec?: string;
  faults?: Faults;
};

/** Starts one simulated device. */
export async function startSnmpAgent(options: SnmpAgentOptions = {}): Promise<SnmpAgent> {
  const { snmprec, faults, ...rest } = options;
  const fleet = await startSnmpFleet({
    ...rest,
    ...(faults ? { faults } : {}),
    count: snmprec ? 0 : 1,
    ...(snmprec ? { snmprec: [snmprec] } : {}),
  });
  const dev = fleet.devices[0]!;
  return { ...dev, stats: fleet.stats, close: fleet.close };
}
