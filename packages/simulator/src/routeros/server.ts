/**
 * `startRouterOsEmulator`: one emulated RouterOS router listening for the API (plain, or API-SSL
 * with a given key and certificate) on a loopback port.
 */
import net from 'node:net';
import tls from 'node:tls';
import { RouterModel, type RouterModelOptions } from './model.js';
import { type RouterOsFault, serveSession } from './session.js';

/** Options of one emulated router. */
export interface RouterOsEmulatorOptions extends RouterModelOptions {
  /** Address to listen on; loopback only. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** API user. Default `admin`. */
  username?: string;
  /** Its password. Default empty. */
  password?: string;
  /** Answer logins with the pre-6.43 MD5 challenge. Default false. */
  legacyLogin?: boolean;
  /** Fault mode at start. Default `none`. */
  fault?: RouterOsFault;
  /** Delay of every reply in the `slow` mode, ms. Default 1500. */
  slowMs?: number;
  /** Rows of subscriber tables in the `huge-table` mode. Default 100,000. */
  hugeRows?: number;
  /** API-SSL: PEM key and certificate. Without it the plain API is served. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** A running emulated router. */
export interface RouterOsEmulator {
  readonly host: string;
  readonly port: number;
  readonly model: RouterModel;
  /** Open client connections. */
  readonly connections: number;
  /** Requests seen per command path (`/login`, `/interface/print`, …). */
  readonly requests: ReadonlyMap<string, number>;
  /** Changes the fault mode for new commands (and new logins). */
  setFault(fault: RouterOsFault): void;
  /** Closes every client connection (as a router reboot would). */
  dropConnections(): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Starts one emulated router. */
export async function startRouterOsEmulator(
  options: RouterOsEmulatorOptions = {},
): Promise<RouterOsEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`the RouterOS emulator listens on loopback only, not ${host}`);
  const model = new RouterModel(options);
  let fault: RouterOsFault = options.fault ?? 'none';
  const sockets = new Set<net.Socket>();
  const requests = new Map<string, number>();
  const sessionHost = {
    model,
    username: options.username ?? 'admin',
    password: options.password ?? '',
    legacyLogin: options.legacyLogin ?? false,
    fault: () => fault,
    slowMs: options.slowMs ?? 1500,
    hugeRows: options.hugeRows ?? 100_000,
    count: (path: string) => void requests.set(path, (requests.get(path) ?? 0) + 1),
  };
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveSession(socket, sessionHost);
  };
  const server = options.tls
    ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onSocket)
    : net.createServer(onSocket);
  // A failed TLS handshake (a client refusing our certificate) must not stop the emulator.
  server.on('tlsClientError', () => {});
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    host,
    port: address.port,
    model,
    get connections() {
      return sockets.size;
    },
    requests,
    setFault(next) {
      fault = next;
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
