/**
 * SNMPv1/v2c messages (RFC 1157 §4, RFC 3416 §3): decoding a request and assembling a response
 * from already-encoded varbinds.
 */
import { BerError, BerReader, encodeLength, encodeSignedContent, lengthSize, Tag } from './ber.js';

/** PDU tags (context-specific, constructed). */
export const PduType = {
  Get: 0xa0,
  GetNext: 0xa1,
  Response: 0xa2,
  Set: 0xa3,
  TrapV1: 0xa4,
  GetBulk: 0xa5,
  Inform: 0xa6,
  TrapV2: 0xa7,
  Report: 0xa8,
} as const;

/** The `version` field: 0 is SNMPv1, 1 is SNMPv2c. */
export const SnmpVersion = { V1: 0, V2c: 1 } as const;

/** error-status values of RFC 3416 §3 that an agent answering reads can return. */
export const ErrorStatus = {
  NoError: 0,
  TooBig: 1,
  NoSuchName: 2,
  ReadOnly: 4,
  GenErr: 5,
  NoAccess: 6,
  NotWritable: 17,
} as const;

/** A decoded request. Varbind values are ignored: the simulator is read-only. */
export interface SnmpRequest {
  version: number;
  community: Buffer;
  pduType: number;
  requestId: number;
  /** error-status, or non-repeaters for GetBulk. */
  field2: number;
  /** error-index, or max-repetitions for GetBulk. */
  field3: number;
  oids: number[][];
}

/** Decodes a whole message; throws {@link BerError} on anything malformed or unsupported. */
export function decodeRequest(msg: Buffer): SnmpRequest {
  const outer = new BerReader(msg).enter(Tag.Sequence);
  const version = outer.readInt();
  // SNMPv3 (3) has a different layout; the fleet answers v1 and v2c only.
  if (version !== SnmpVersion.V1 && version !== SnmpVersion.V2c) {
    throw new BerError(`unsupported SNMP version ${version}`);
  }
  const community = outer.readOctets();
  const pdu = outer.enter();
  const pduType = pdu.tag;
  if (pduType < PduType.Get || pduType > PduType.Report) throw new BerError('not an SNMP PDU');
  const requestId = pdu.readInt();
  const field2 = pdu.readInt();
  const field3 = pdu.readInt();
  const list = pdu.enter(Tag.Sequence);
  const oids: number[][] = [];
  while (!list.done) {
    const vb = list.enter(Tag.Sequence);
    oids.push(vb.readOid());
    vb.read(); // the value: NULL in reads, anything in a set
  }
  return { version, community, pduType, requestId, field2, field3, oids };
}

/**
 * Bytes a response adds around its varbinds, at most: message, PDU and varbind-list headers,
 * version, community, request-id, error-status and error-index. Used to stop a GetBulk before the
 * reply exceeds the size limit.
 */
export function responseOverhead(community: Buffer, varbindBytes: number): number {
  const inner = 7 + 3 + 3 + lengthSize(varbindBytes) + 1;
  const pdu = inner + varbindBytes;
  const body = 3 + 1 + lengthSize(community.length) + community.length + 1 + lengthSize(pdu) + pdu;
  return 1 + lengthSize(body) + body - varbindBytes;
}

function int(v: number): Buffer {
  const c = encodeSignedContent(v);
  return Buffer.concat([Buffer.from([Tag.Integer, c.length]), c]);
}

/** Assembles a Response-PDU message around pre-encoded varbinds. */
export function encodeResponse(
  req: Pick<SnmpRequest, 'version' | 'community' | 'requestId'>,
  errorStatus: number,
  errorIndex: number,
  varbinds: readonly Buffer[],
): Buffer {
  let vbLen = 0;
  for (const vb of varbinds) vbLen += vb.length;
  const fields = Buffer.concat([int(req.requestId), int(errorStatus), int(errorIndex)]);
  const vbHeader = Buffer.concat([Buffer.from([Tag.Sequence]), encodeLength(vbLen)]);
  const pduLen = fields.length + vbHeader.length + vbLen;
  const pduHeader = Buffer.concat([Buffer.from([PduType.Response]), encodeLength(pduLen)]);
  const head = Buffer.concat([
    Buffer.from([Tag.Integer, 1, req.version, Tag.OctetString]),
    encodeLength(req.community.length),
    req.community,
  ]);
  const bodyLen = head.length + pduHeader.length + pduLen;
  return Buffer.concat([
    Buffer.from([Tag.Sequence]),
    encodeLength(bodyLen),
    head,
    pduHeader,
    fields,
    vbHeader,
    ...varbinds,
  ]);
}
