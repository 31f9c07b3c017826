/** Decodes a Response-PDU with the simulator's own reader (its correctness is tested separately). */
import { BerReader } from '../../src/snmp/ber.js';
import type { Decoded } from './request.js';

/** Decodes a response message into plain values for assertions. */
export function decodeResponse(msg: Buffer): Decoded {
  const outer = new BerReader(msg).enter(0x30);
  outer.readInt();
  outer.readOctets();
  const pdu = outer.enter(0xa2);
  const requestId = pdu.readInt();
  const errorStatus = pdu.readInt();
  const errorIndex = pdu.readInt();
  const list = pdu.enter(0x30);
  const varbinds: Decoded['varbinds'] = [];
  while (!list.done) {
    const vb = list.enter(0x30);
    const oid = vb.readOid().join('.');
    const v = vb.read();
    varbinds.push({ oid, tag: v.tag, hex: msg.subarray(v.start, v.end).toString('hex') });
  }
  return { requestId, errorStatus, errorIndex, varbinds };
}
