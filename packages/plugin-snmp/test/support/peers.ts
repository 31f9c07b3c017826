/**
 * Real SNMP peers for tests: snmpsim serving the shared recordings and Debian's snmpd, each in
 * its own temp directory on a free loopback port, run as `nobody`, stopped afterwards — started by
 * test/support/snmp-peers.mjs, which the SNMP benchmarks use too. A missing binary fails a strict
 * run (core/testing `missingPeer`) and skips, saying why, elsewhere; absent recordings skip with
 * "shared data absent" (test/support/shared-data.ts).
 */
import { missingBinary } from '@ispmonitor/core/testing';
import { sharedData } from '../../../../test/support/shared-data.js';
import { type Peer, startSnmpsim as startSnmpsimIn } from '../../../../test/support/snmp-peers.mjs';

export {
  freeUdpPort,
  type Peer,
  snmpdCreds,
  snmpdV3,
  startSnmpd,
  waitForAgent,
} from '../../../../test/support/snmp-peers.mjs';

const recordings = sharedData('snmprec');
/** Why tests that read the snmprec recordings are skipped (`undefined` when they are here). */
export const noSnmprec = recordings.absent;
/** The snmprec recordings, or undefined when the shared data is absent. */
export const snmprecDir = noSnmprec ? undefined : recordings.path;

/** Why a peer cannot run here, or undefined when it can. Throws in strict mode, where it must run. */
export function missing(binary: string, what: string): string | undefined {
  return missingBinary(binary, what);
}

/**
 * Starts snmpsimd serving every shared recording (community = file name without `.snmprec`),
 * optionally only some of them.
 */
export function startSnmpsim(only?: string[]): Promise<Peer> {
  if (!snmprecDir) throw new Error(noSnmprec);
  return startSnmpsimIn(snmprecDir, only);
}
