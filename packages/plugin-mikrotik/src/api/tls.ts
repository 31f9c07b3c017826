/**
 * API-SSL settings: verify the router's certificate against a CA (PEM text), or pin the SHA-256
 * fingerprint of its certificate. No "accept anything" mode exists on purpose. A CA given as a
 * file path is read before this point (`ca.ts`), never here.
 */
import net from 'node:net';
import tls from 'node:tls';
import { type MikrotikError, MikrotikErrorCodes, mikrotikError } from '../errors.js';
import { isPemText } from './ca.js';

/** How the router's certificate is verified. */
export interface TlsSettings {
  /** CA certificate(s) as PEM text (a path is resolved to its text by the driver first). */
  ca?: string;
  /** SHA-256 fingerprint of the router's certificate (hex, colons optional): pins it exactly. */
  fingerprint?: string;
  /** Check that the certificate names the host we connect to. Default true (off for pinning). */
  checkHostname?: boolean;
  /** Name to check and send as SNI, when it differs from the host. */
  servername?: string;
}

/** Normalises a fingerprint to upper-case hex without separators. */
export function normaliseFingerprint(text: string): string {
  return text.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

/** The CA as Node wants it: PEM text only; anything else is a configuration error. */
export function loadCa(ca: string): string {
  if (!isPemText(ca)) {
    throw mikrotikError(
      MikrotikErrorCodes.CONFIG,
      'the CA must be PEM text here (a file path is read by the driver)',
    );
  }
  return ca;
}

/** Node TLS options for the settings. */
export function tlsConnectOptions(host: string, port: number, settings: TlsSettings): tls.ConnectionOptions {
  const pinned = settings.fingerprint !== undefined;
  const checkHostname = settings.checkHostname ?? !pinned;
  const opts: tls.ConnectionOptions = {
    host,
    port,
    // With a pinned fingerprint the chain is not checked (self-signed router certificates are
    // the common case); the fingerprint is compared after the handshake instead.
    rejectUnauthorized: !pinned || settings.ca !== undefined,
    minVersion: 'TLSv1.2',
  };
  if (settings.ca !== undefined) opts.ca = loadCa(settings.ca);
  const name = settings.servername ?? host;
  if (!net.isIP(name)) opts.servername = name;
  if (!checkHostname) opts.checkServerIdentity = () => undefined;
  // Checks against the configured name rather than the address we dialled.
  else if (settings.servername)
    opts.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(name, cert);
  return opts;
}

/** After the handshake: the pinned fingerprint must match the certificate the router showed. */
export function verifyPinnedFingerprint(
  socket: tls.TLSSocket,
  settings: TlsSettings,
  target: string,
): MikrotikError | undefined {
  if (settings.fingerprint === undefined) return undefined;
  const cert = socket.getPeerCertificate();
  const seen = cert?.fingerprint256 ? normaliseFingerprint(cert.fingerprint256) : '';
  if (seen !== normaliseFingerprint(settings.fingerprint)) {
    return mikrotikError(
      MikrotikErrorCodes.TLS,
      `TLS with ${target} refused: the certificate's SHA-256 fingerprint ${seen || '(none)'} ` +
        'does not match the pinned fingerprint',
    );
  }
  return undefined;
}
