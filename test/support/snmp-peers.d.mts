/** Types of snmp-peers.mjs (plain JavaScript, shared by the SNMP tests and benchmarks). */
import type { ChildProcess } from 'node:child_process';

/** A running agent. */
export interface Peer {
  port: number;
  dir: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export function freeUdpPort(): Promise<number>;
export function waitForAgent(port: number, community: string, timeoutMs?: number): Promise<void>;
export function stopChild(child: ChildProcess, dir?: string): Promise<void>;
export function startSnmpsim(snmprecDir: string, only?: string[]): Promise<Peer>;
export const snmpdCreds: Readonly<{
  community: 'testcomm';
  no64Community: 'testno64';
  username: 'monuser';
  authKey: 'authpass123';
  privKey: 'privpass123';
}>;
export function snmpdV3(): {
  version: '3';
  username: string;
  authProtocol: 'sha';
  authKey: string;
  privProtocol: 'aes';
  privKey: string;
};
export function startSnmpd(): Promise<Peer>;
