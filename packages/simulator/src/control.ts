/**
 * A small HTTP control endpoint for a running simulator: take a device down and back up at run
 * time, so a test or a demo can watch a monitor notice an outage and its recovery.
 *
 *   GET  /devices              → [{ id, host, port, state }]   state: up | down
 *   POST /devices/:id/down     → the device stops answering (as a dead router does: no reply)
 *   POST /devices/:id/up       → it answers again (its planned faults, e.g. latency, still apply)
 *   POST /devices/:id/reset    → back to its planned faults (a `--dead` device is down again)
 *
 * Loopback only, no authentication: whoever can reach the port can already reach the devices.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realClock, type SimClock } from './clock.js';
import type { FleetDevice } from './fleet.js';

/** Options of {@link startControlServer}. */
export interface ControlServerOptions {
  /** Loopback address to bind (127.0.0.0/8 or ::1). Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** The clock the devices run on, to report planned outages right. Default the real clock. */
  clock?: SimClock;
}

/** A running control endpoint. */
export interface ControlServer {
  /** Base URL, e.g. `http://127.0.0.1:39001`. */
  url: string;
  /** The TCP port it listens on. */
  port: number;
  /** Stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** One device as the control endpoint reports it. */
export interface ControlledDevice {
  /** The device's id in the fleet. */
  id: string;
  /** Its loopback address. */
  host: string;
  /** Its UDP port. */
  port: number;
  /** Whether it answers now. */
  state: 'up' | 'down';
  /** Whether the state was set through the endpoint (rather than by the planned faults). */
  forced: boolean;
}

const ROUTE = /^\/devices\/([^/]+)\/(down|up|reset)$/;

function isLoopback(host: string): boolean {
  return host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Serves the control endpoint for `devices` (the fleet's list, or any subset of it). */
export async function startControlServer(
  devices: readonly FleetDevice[],
  options: ControlServerOptions = {},
): Promise<ControlServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host))
    throw new RangeError(`the control endpoint binds loopback addresses only, not "${host}"`);
  const clock = options.clock ?? realClock;
  const byId = new Map(devices.map((d) => [d.id, d]));
  const describe = (d: FleetDevice): ControlledDevice => ({
    id: d.id,
    host: d.host,
    port: d.port,
    state: d.sim.isDead(clock.now()) ? 'down' : 'up',
    forced: d.sim.forced !== undefined,
  });

  /** The answer to one request: status and JSON body. */
  const handle = (req: IncomingMessage): [number, unknown] => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path === '/devices') {
      return req.method === 'GET' ? [200, devices.map(describe)] : [405, { error: 'use GET' }];
    }
    const m = ROUTE.exec(path);
    if (!m) return [404, { error: `no route ${path}; see GET /devices, POST /devices/:id/down|up|reset` }];
    if (req.method !== 'POST') return [405, { error: 'use POST' }];
    let id: string;
    try {
      id = decodeURIComponent(m[1] as string);
    } catch {
      return [400, { error: 'malformed device id' }];
    }
    const device = byId.get(id);
    if (!device) return [404, { error: `no device "${id}"` }];
    const action = m[2] as 'down' | 'up' | 'reset';
    device.sim.forced = action === 'reset' ? undefined : action;
    return [200, describe(device)];
  };

  const server: Server = createServer((req, res) => {
    // The request body is never read: drain it so the connection can be reused.
    req.resume();
    try {
      const [status, body] = handle(req);
      send(res, status, body);
    } catch (err) {
      // Nothing a client sends may take the simulator down.
      if (!res.headersSent) send(res, 500, { error: (err as Error).message });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
