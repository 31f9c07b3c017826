import { type FileHandle, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { lockFolder } from '../folder-lock.js';
import type { Sample } from '../types.js';
import { decodeSegment, encodeRecord, firstRecordTime, type SpoolRecord } from './spool-format.js';

/** Bytes after which the segment being written is closed and a new one started. */
const SEGMENT_BYTES = 4 * 1024 * 1024;
const SEGMENT = /^(\d{12})\.spool$/;

interface Segment {
  seq: number;
  bytes: number;
  /** Time stamped on its first record (undefined while it has none). */
  firstAt: number | undefined;
}

/** A batch read back from the spool: `ack` once the sink has stored it. */
export interface SpooledBatch {
  samples: Sample[];
  ack(): Promise<void>;
}

/**
 * Locks `<dir>.lock` for this process: two processes replaying one spool would each store, then
 * delete, the other's samples. Returns the release.
 */
function lockDir(dir: string): () => void {
  const lock = lockFolder(dir, (owner) => {
    const who = owner === process.pid ? ' (this process)' : '';
    return new Error(`spool folder ${dir} is in use by process ${owner}${who}`);
  });
  return () => lock.release();
}

/**
 * A bounded on-disk queue of sample batches for one sink, in numbered segment files of
 * length-prefixed, checksummed records (spool-format.ts). Batches the sink's memory buffer has no
 * room for are appended; they are read back oldest first and each segment file is deleted once
 * every batch of it was stored. A crash leaves whole records readable and a torn last one
 * detected and skipped; a segment read but not finished before a crash is read again at the
 * next start (at least once: the sink must store a repeated batch once, as plugin-postgres does).
 * All file work is asynchronous and done one operation at a time.
 */
export class SampleSpool {
  readonly #segments: Segment[] = [];
  #bytes = 0;
  #writer: { seq: number; handle: FileHandle } | undefined;
  /** The oldest segment's records, once read. */
  #reading: { seq: number; records: SpoolRecord[]; next: number } | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly unlock: () => void,
    private readonly onDamaged: (bytes: number, file: string) => void,
  ) {}

  /** Opens (and locks) the folder and finds the segments a previous run left. */
  static async open(
    dir: string,
    maxBytes: number,
    onDamaged: (bytes: number, file: string) => void = () => {},
  ): Promise<SampleSpool> {
    await mkdir(dir, { recursive: true });
    const spool = new SampleSpool(dir, maxBytes, lockDir(dir), onDamaged);
    const names = (await readdir(dir)).filter((n) => SEGMENT.test(n)).sort();
    for (const name of names) {
      const seq = Number(SEGMENT.exec(name)?.[1]);
      const bytes = (await stat(join(dir, name))).size;
      if (bytes === 0) {
        await unlink(join(dir, name));
        continue;
      }
      const head = Buffer.alloc(32);
      const fh = await open(join(dir, name), 'r');
      try {
        await fh.read(head, 0, head.length, 0);
      } finally {
        await fh.close();
      }
      spool.#segments.push({ seq, bytes, firstAt: firstRecordTime(head) });
      spool.#bytes += bytes;
    }
    return spool;
  }

  /** Bytes on disk. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether anything waits. */
  get empty(): boolean {
    return this.#segments.length === 0;
  }

  /** Time written of the oldest batch waiting, if any. */
  get oldestAt(): number | undefined {
    if (this.#reading) return this.#reading.records[this.#reading.next]?.at ?? this.#segments[0]?.firstAt;
    return this.#segments[0]?.firstAt;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  #path(seq: number): string {
    return join(this.dir, `${String(seq).padStart(12, '0')}.spool`);
  }

  /** Appends a batch; false when it does not fit under `maxBytes` (nothing written). Throws on I/O errors. */
  append(samples: readonly Sample[], at: number): Promise<boolean> {
    return this.#serial(async () => {
      if (this.#closed) return false;
      const record = encodeRecord(samples, at);
      if (this.#bytes + record.length > this.maxBytes) return false;
      let seg = this.#segments.at(-1);
      if (!this.#writer || !seg || seg.seq !== this.#writer.seq || seg.bytes >= SEGMENT_BYTES) {
        await this.#closeWriter();
        const seq = (this.#segments.at(-1)?.seq ?? 0) + 1;
        this.#writer = { seq, handle: await open(this.#path(seq), 'a') };
        seg = { seq, bytes: 0, firstAt: undefined };
        this.#segments.push(seg);
      }
      await this.#writer.handle.write(record);
      seg.bytes += record.length;
      seg.firstAt ??= at;
      this.#bytes += record.length;
      return true;
    });
  }

  async #closeWriter(): Promise<void> {
    const w = this.#writer;
    this.#writer = undefined;
    if (!w) return;
    // On disk before a later segment exists: replay order survives a power loss too.
    await w.handle.datasync().catch(() => {});
    await w.handle.close();
  }

  /** The oldest batch waiting, or undefined. Call `ack` before asking for the next one. */
  next(): Promise<SpooledBatch | undefined> {
    return this.#serial(async () => {
      for (;;) {
        if (this.#closed) return undefined;
        const seg = this.#segments[0];
        if (!seg) return undefined;
        if (!this.#reading || this.#reading.seq !== seg.seq) {
          // The segment being written is closed first: later batches go to a new one.
          if (this.#writer?.seq === seg.seq) await this.#closeWriter();
          const buf = await readFile(this.#path(seg.seq));
          const decoded = decodeSegment(buf);
          if (decoded.damagedBytes > 0) this.onDamaged(decoded.damagedBytes, this.#path(seg.seq));
          this.#reading = { seq: seg.seq, records: decoded.records, next: 0 };
        }
        const reading = this.#reading;
        const record = reading.records[reading.next];
        if (record) {
          const index = reading.next;
          return { samples: record.samples, ack: () => this.#ack(seg.seq, index) };
        }
        await this.#drop(seg);
      }
    });
  }

  #ack(seq: number, index: number): Promise<void> {
    return this.#serial(async () => {
      const r = this.#reading;
      if (!r || r.seq !== seq || r.next !== index) return;
      r.next++;
      const seg = this.#segments[0];
      if (r.next >= r.records.length && seg?.seq === seq) await this.#drop(seg);
    });
  }

  async #drop(seg: Segment): Promise<void> {
    await unlink(this.#path(seg.seq)).catch(() => {});
    this.#segments.shift();
    this.#bytes -= seg.bytes;
    this.#reading = undefined;
  }

  /** Finishes pending work, closes the file and releases the folder. What waits stays for the next start. */
  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      await this.#closeWriter();
      this.unlock();
    });
  }
}
