/**
 * Texts the driver decodes are interned (one copy per distinct short text across routers): what
 * a caller sees must not change — same text, trailing line breaks trimmed, non-printable bytes as
 * hex, long texts passed through.
 */
import { describe, expect, it } from 'vitest';
import { intern, textValue, VarbindType } from '../src/values.js';

const octets = (s: string | Buffer) => ({
  oid: '1.3.6.1.2.1.31.1.1.1.1.1',
  type: VarbindType.OctetString,
  value: Buffer.isBuffer(s) ? s : Buffer.from(s),
});

describe('interned texts', () => {
  it('decodes equal answers of different routers to equal texts', () => {
    const a = textValue(octets('ether1'));
    const b = textValue(octets(Buffer.from('ether1')));
    expect(a).toBe('ether1');
    expect(b).toBe(a);
  });

  it('trims trailing line breaks before interning and keeps hex for binary', () => {
    expect(textValue(octets('uplink\r\n'))).toBe('uplink');
    expect(textValue(octets(Buffer.from([0, 1, 2])))).toBe('000102');
  });

  it('passes long texts through and keeps working past the table bound', () => {
    const long = 'x'.repeat(500);
    expect(intern(long)).toBe(long);
    for (let i = 0; i < 60_000; i++) expect(intern(`if${i}`)).toBe(`if${i}`);
    expect(intern('ether1')).toBe('ether1');
  });
});
