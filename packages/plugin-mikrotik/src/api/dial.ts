/**
 * Opening the socket of an API connection: TCP, or TLS verified against a CA or a pinned
 * fingerprint, with a timeout and an abort signal. Rejects with a MikrotikError and never leaves
 * a socket open (or without an error listener) behind.
 */
import net from 'node:net';
import tls from 'node:tls';
import { fromSocketError, MikrotikError, MikrotikErrorCodes, mikrotikError } from '../errors.js';
import { type TlsSettings, tlsConnectOptions, verifyPinnedFingerprint } from './tls.js';

/** How to open a connection. */
export interface ConnectOptions {
  host: string;
  port: number;
  /** TLS settings, or `false` for the plain API. */
  tls: TlsSettings | false;
  /** Connect (TCP and TLS) timeout in ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Longest single word accepted. Default 1 MiB. */
  maxWordBytes?: number;
  /** Most words in one reply sentence. Default 4096. */
  maxWords?: number;
  /** Most bytes in one reply sentence. Default 4 MiB. */
  maxSentenceBytes?: number;
}

/** Connects; resolves with a socket that is connected (and, for TLS, verified). */
export function dial(options: ConnectOptions): Promise<net.Socket> {
  const target = `${options.host}:${options.port}`;
  return new Promise<net.Socket>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(mikrotikError(MikrotikErrorCodes.ABORTED, `connect to ${target} aborted`));
      return;
    }
    let socket: net.Socket;
    let settled = false;
    const settle = (err?: MikrotikError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      if (err) {
        // An error already queued on this socket must find a listener after we leave.
        socket.on('error', () => {});
        socket.destroy();
        reject(err);
      } else {
        socket.setNoDelay(true);
        // TCP keepalive finds a dead peer on an idle connection.
        socket.setKeepAlive(true, 30_000);
        resolve(socket);
      }
    };
    const onError = (err: Error) => settle(fromSocketError(err, target));
    const onAbort = () => settle(mikrotikError(MikrotikErrorCodes.ABORTED, `connect to ${target} aborted`));
    const timer = setTimeout(
      () =>
        settle(
          mikrotikError(
            MikrotikErrorCodes.TIMEOUT,
            `no connection to ${target} within ${options.timeoutMs} ms`,
          ),
        ),
      options.timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.tls) {
      const tlsSettings = options.tls;
      let opts: tls.ConnectionOptions;
      try {
        opts = tlsConnectOptions(options.host, options.port, tlsSettings);
      } catch (err) {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(err instanceof MikrotikError ? err : fromSocketError(err, target));
        return;
      }
      const s = tls.connect(opts);
      socket = s;
      s.once('secureConnect', () => {
        const problem = verifyPinnedFingerprint(s, tlsSettings, target);
        settle(problem);
      });
    } else {
      socket = net.connect({ host: options.host, port: options.port });
      socket.once('connect', () => settle());
    }
    socket.on('error', onError);
  });
}
