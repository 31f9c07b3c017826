/** A WAL position as a number of bytes: PostgreSQL's `pg_lsn` `X/Y` is `X << 32 | Y`, in hex. */
export type Lsn = bigint;

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** Parses a `pg_lsn` as text (`16/B374D848`); null, absent or malformed: 0 (before everything). */
export function parseLsn(text: string | null | undefined): Lsn {
  const m = LSN.exec(text ?? '');
  if (!m) return 0n;
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}
