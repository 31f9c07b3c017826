/** Builds SNMP request datagrams for tests that call the agent without sockets. */
import { encodeLength, encodeSignedContent, parseOid, Tag } from '../../src/snmp/ber.js';
import { PduType } from '../../src/snmp/message.js';
import { encodeName } from '../../src/snmp/mib.js';

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const c = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), encodeLength(c.length), c]);
}

const int = (v: number) => tlv(Tag.Integer, encodeSignedContent(v));

/** A request message. `a` and `b` are error-status/index, or non-repeaters/max-repetitions. */
export function request(opts: {
  version?: 0 | 1;
  community?: string;
  type?: number;
  id?: number;
  oids: string[];
  a?: number;
  b?: number;
}): Buffer {
  const vbs = opts.oids.map((o) => tlv(Tag.Sequence, encodeName(parseOid(o)), Buffer.from([Tag.Null, 0])));
  const pdu = tlv(
    opts.type ?? PduType.Get,
    int(opts.id ?? 42),
    int(opts.a ?? 0),
    int(opts.b ?? 0),
    tlv(Tag.Sequence, ...vbs),
  );
  return tlv(
    Tag.Sequence,
    int(opts.version ?? 1),
    tlv(Tag.OctetString, Buffer.from(opts.community ?? 'public')),
    pdu,
  );
}

/** A decoded response: error fields and varbinds as [oid, tag, content hex]. */
export interface Decoded {
  requestId: number;
  errorStatus: number;
  errorIndex: number;
  varbinds: Array<{ oid: string; tag: number; hex: string }>;
}

export { decodeResponse } from './response.js';
