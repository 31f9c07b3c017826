/**
 * `@ispmonitor/plugin-mikrotik`: the MikroTik RouterOS API driver (our own hardened client,
 * API-SSL with certificate verification).
 */

export type { IgnoredCounts } from './api/connection.js';
export { ApiConnection, type CommandOptions, type ConnectOptions, type Row } from './api/connection.js';
export type { Lease } from './api/pool.js';
export { ConnectionPool, type PoolOptions, type RouterTarget } from './api/pool.js';
export type { Reply, SentenceLimits } from './api/protocol.js';
export {
  decodeLength,
  encodeLength,
  encodeSentence,
  parseReply,
  SentenceLimitError,
  SentenceReader,
} from './api/protocol.js';
export { normaliseFingerprint, type TlsSettings } from './api/tls.js';
export type { WirelessMenu } from './capabilities.js';
export {
  bgpMenu,
  type Capabilities,
  detectCapabilities,
  healthShape,
  wirelessMenus,
} from './capabilities.js';
export { createMikrotikDriver, type MikrotikDriver, type MikrotikDriverOptions } from './driver.js';
export { MikrotikError, MikrotikErrorCodes, MikrotikErrors } from './errors.js';
export { neighbourProtocol } from './parts/routing.js';
export { RowTally } from './parts/rows.js';
export { type WirelessClient, wirelessClientOf } from './parts/wireless.js';
export { mikrotik } from './plugin.js';
export type { PppoeSession, SessionChange } from './sessions.js';
export {
  COLLECTIONS,
  type Collection,
  type MikrotikOptions,
  type MikrotikOptionsInput,
  type MikrotikSettings,
  type MikrotikSettingsInput,
  optionsSchema,
  settingsSchema,
} from './settings.js';
// Every parser of RouterOS values (parseDuration, parseCounter, …): all of values.ts is public.
export * from './values.js';
