/**
 * The part of net-snmp 3.29 this package uses. net-snmp ships no types; these are written from its
 * README and source. They ship in the package (dist/index.d.ts references this file) because some
 * public types name net-snmp's (a varbind, a session): without them a user's `tsc` with
 * `skipLibCheck: false` fails with TS7016.
 */
declare module 'net-snmp' {
  import type { RemoteInfo } from 'node:dgram';

  export interface Varbind {
    oid: string;
    type: number;
    value: unknown;
  }

  export interface SessionOptions {
    port?: number;
    trapPort?: number;
    retries?: number;
    timeout?: number;
    backoff?: number;
    transport?: 'udp4' | 'udp6';
    version?: number;
    idBitsSize?: 16 | 32;
    context?: string;
    backwardsGetNexts?: boolean;
    reportOidMismatchErrors?: boolean;
  }

  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  export type ResponseCallback = (error: Error | null, varbinds?: unknown[]) => void;

  export interface Session {
    dgram: import('node:dgram').Socket;
    reqs: Record<string, unknown>;
    get(oids: string[], cb: ResponseCallback): Session;
    getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number, cb: ResponseCallback): Session;
    close(): Session;
    cancelRequests(error: Error): void;
    onMsg(buffer: Buffer): void;
    on(event: 'error' | 'close', listener: (...args: unknown[]) => void): Session;
  }

  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;
  export function isVarbindError(vb: Varbind): boolean;
  export function varbindError(vb: Varbind): string;

  export const Version1: number;
  export const Version2c: number;
  export const Version3: number;
  export const SecurityLevel: Record<'noAuthNoPriv' | 'authNoPriv' | 'authPriv', number>;
  export const AuthProtocols: Record<
    'none' | 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512',
    number
  >;
  export const PrivProtocols: Record<'none' | 'des' | 'aes' | 'aes256b' | 'aes256r', number>;
  export const ObjectType: Record<string, number> & Record<number, string>;
  export const ErrorStatus: Record<string, number> & Record<number, string>;
  export const ResponseInvalidCode: Record<string, number> & Record<number, string>;
  export const PduType: Record<string, number> & Record<number, string>;

  export interface TrapPdu {
    type: number;
    varbinds: Varbind[];
    /** SNMPv1 traps only. */
    enterprise?: string;
    agentAddr?: string;
    generic?: number;
    specific?: number;
    upTime?: number;
    community?: string;
    user?: string;
  }

  export interface Notification {
    pdu: TrapPdu;
    rinfo: RemoteInfo;
  }

  export interface ReceiverOptions {
    port?: number;
    trapPort?: number;
    address?: string | null;
    transport?: 'udp4' | 'udp6';
    disableAuthorization?: boolean;
    includeAuthentication?: boolean;
    engineID?: string;
  }

  export interface Authorizer {
    addCommunity(community: string): void;
    addUser(user: User): void;
  }

  export interface Receiver {
    getAuthorizer(): Authorizer;
    close(cb?: () => void): void;
    listener: { sockets: Record<string, import('node:dgram').Socket> };
  }

  export function createReceiver(
    options: ReceiverOptions,
    cb: (error: (Error & { rinfo?: RemoteInfo }) | null, notification?: Notification) => void,
  ): Receiver;

  const snmp: {
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    createReceiver: typeof createReceiver;
    isVarbindError: typeof isVarbindError;
    varbindError: typeof varbindError;
    Version1: number;
    Version2c: number;
    Version3: number;
    SecurityLevel: typeof SecurityLevel;
    AuthProtocols: typeof AuthProtocols;
    PrivProtocols: typeof PrivProtocols;
    ObjectType: typeof ObjectType;
    ErrorStatus: typeof ErrorStatus;
    ResponseInvalidCode: typeof ResponseInvalidCode;
    PduType: typeof PduType;
  };
  export default snmp;
}
