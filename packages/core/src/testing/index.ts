/**
 * Test helpers for plugin authors: a fake clock, a fake logger, an in-memory inventory, a
 * one-driver plugin and a device list to poll with it (`driverPlugin`, `testDevices`), a free
 * loopback port for a test peer, starting a peer's binary on one (`startPeerProcess`) and stopping
 * it, the skip-or-fail rule for a missing peer (`missingPeer`, strict in CI), and the shared
 * plugin suite (`testPlugin`, which needs vitest).
 */

export { memoryInventory } from '../devices/registry.js';
export { FakeClock } from './fake-clock.js';
export { createFakeLogger, type FakeLogger, type LogRecord } from './fake-logger.js';
export { driverPlugin, testDevices } from './fixtures.js';
export { freePort } from './free-port.js';
export { type PeerProcess, type PeerProcessOptions, startPeerProcess } from './peer-process.js';
export {
  MissingPeerError,
  missingBinary,
  missingPeer,
  STRICT_TESTS_ENV,
  skipTitle,
  strictTests,
} from './peers.js';
export { pollDriver } from './poll-driver.js';
export { stopProcess } from './stop-process.js';
export { type Maybe, type PeerFailure, type PluginSuiteOptions, pluginChecks, testPlugin } from './suite.js';
