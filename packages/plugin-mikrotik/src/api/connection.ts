/**
 * One RouterOS API connection: our own small client, written from MikroTik's protocol
 * documentation. Every command is tagged and has a timeout; every reply word we do not know
 * (`!empty` of 7.18+, future words), and data on a tag nobody waits for, is ignored and counted;
 * `!fatal`, a reset or a dropped connection rejects every pending command. Nothing the router
 * sends can throw out of the socket handlers.
 */
import { createHash } from 'node:crypto';
import type net from 'node:net';
import { fromSocketError, MikrotikError, MikrotikErrorCodes, mikrotikError } from '../errors.js';
import { type ConnectOptions, dial } from './dial.js';
import {
  encodeSentence,
  parseReply,
  SentenceLimitError,
  type SentenceLimits,
  SentenceReader,
} from './protocol.js';

export type { ConnectOptions };

/** One row of a reply: attribute name → value, as strings (the API has no other type). */
export type Row = Record<string, string>;

/** Most bytes of one command's reply by default (its `!re` sentences): 64 MiB. */
export const DEFAULT_MAX_REPLY_BYTES = 64 << 20;

/** Per-command options. */
export interface CommandOptions {
  timeoutMs: number;
  /** More `!re` rows than this rejects with TOO_LARGE (and cancels the command on the router). */
  maxRows?: number;
  /**
   * More reply bytes than this rejects with TOO_LARGE (and cancels the command): rows are held
   * until `!done`, so rows × sentence size is bounded too. Default `DEFAULT_MAX_REPLY_BYTES`.
   */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** Counts of what the router sent that we ignored: visible in debug logs and tests. */
export interface IgnoredCounts {
  unknownReplies: number;
  unregisteredTags: number;
}

interface Pending {
  rows: Row[];
  maxRows: number;
  /** Reply bytes received so far, and the bound. */
  bytes: number;
  maxBytes: number;
  resolve: (done: Row) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  cleanup: () => void;
  command: string;
}

/** An open, not yet logged-in or logged-in, RouterOS API connection. */
export class ApiConnection {
  readonly #socket: net.Socket;
  readonly #target: string;
  readonly #pending = new Map<string, Pending>();
  #nextTag = 1;
  #closedError: MikrotikError | undefined;
  #closeListeners: Array<(err: MikrotikError) => void> = [];
  /** When the last reply arrived or command was sent (ms, Date.now()). */
  lastActivity = Date.now();
  readonly ignored: IgnoredCounts = { unknownReplies: 0, unregisteredTags: 0 };

  private constructor(socket: net.Socket, target: string, limits: Partial<SentenceLimits>) {
    this.#socket = socket;
    this.#target = target;
    const reader = new SentenceReader((words, bytes) => this.#onReply(parseReply(words), bytes), limits);
    socket.on('data', (chunk: Buffer) => {
      this.lastActivity = Date.now();
      try {
        reader.push(chunk);
      } catch (err) {
        // A reserved control byte, or a word, sentence or word count past its bound: the stream
        // cannot be resynchronised, and a peer that sends that much is broken or hostile. Only
        // this connection closes; the message has our bound's numbers, never the peer's bytes.
        const why =
          err instanceof SentenceLimitError
            ? `${target} sent ${err.message}: connection closed`
            : `${target} sent data that is not the API protocol`;
        this.destroy(mikrotikError(MikrotikErrorCodes.PROTOCOL, why, err));
      }
    });
    socket.on('error', (err) => this.destroy(fromSocketError(err, target)));
    socket.on('close', () =>
      this.destroy(mikrotikError(MikrotikErrorCodes.CLOSED, `connection to ${target} closed`)),
    );
    socket.on('end', () => socket.destroy());
  }

  /** Opens a TCP (or TLS) connection. Rejects with a MikrotikError; never leaves a socket open. */
  static async open(options: ConnectOptions): Promise<ApiConnection> {
    const socket = await dial(options);
    const limits: Partial<SentenceLimits> = {};
    if (options.maxWordBytes !== undefined) limits.maxWordBytes = options.maxWordBytes;
    if (options.maxWords !== undefined) limits.maxWords = options.maxWords;
    if (options.maxSentenceBytes !== undefined) limits.maxSentenceBytes = options.maxSentenceBytes;
    return new ApiConnection(socket, `${options.host}:${options.port}`, limits);
  }

  /** Whether the connection can still carry commands. */
  get alive(): boolean {
    return this.#closedError === undefined;
  }

  /** Commands waiting for their reply. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Calls `fn` once when the connection closes, with the reason. */
  onClose(fn: (err: MikrotikError) => void): void {
    if (this.#closedError) fn(this.#closedError);
    else this.#closeListeners.push(fn);
  }

  /**
   * Logs in: `/login =name= =password=` (RouterOS ≥ 6.43); when the router answers with a
   * challenge (`=ret=`, older versions) it answers the MD5 challenge. Wrong credentials reject
   * with AUTH and a message that never contains the password.
   */
  async login(username: string, password: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const opts = { timeoutMs, signal, maxRows: 4 } as CommandOptions;
    const onTrap = (err: unknown) => {
      if (
        err instanceof MikrotikError &&
        (err.code === MikrotikErrorCodes.TRAP || err.code === MikrotikErrorCodes.FATAL)
      ) {
        throw mikrotikError(
          MikrotikErrorCodes.AUTH,
          `${this.#target} refused the login of user "${username}"`,
        );
      }
      throw err;
    };
    const done = await this.#run(['/login', `=name=${username}`, `=password=${password}`], opts).catch(
      onTrap,
    );
    const challenge = done.ret;
    if (challenge === undefined) return;
    if (!/^[0-9a-f]{32}$/i.test(challenge)) {
      throw mikrotikError(MikrotikErrorCodes.PROTOCOL, `${this.#target} sent a malformed login challenge`);
    }
    const md5 = createHash('md5');
    md5.update(Buffer.from([0]));
    md5.update(Buffer.from(password, 'utf8'));
    md5.update(Buffer.from(challenge, 'hex'));
    await this.#run(['/login', `=name=${username}`, `=response=00${md5.digest('hex')}`], opts).catch(onTrap);
  }

  /** Runs a command and resolves with its `!re` rows. */
  async command(words: readonly string[], options: CommandOptions): Promise<Row[]> {
    const rows: Row[] = [];
    await this.#run(words, options, rows);
    return rows;
  }

  /** Runs one tagged command; resolves with the `!done` attributes. */
  #run(words: readonly string[], options: CommandOptions, rows: Row[] = []): Promise<Row> {
    const command = words[0] ?? '';
    if (this.#closedError) return Promise.reject(this.#closedError);
    if (options.signal?.aborted) {
      return Promise.reject(mikrotikError(MikrotikErrorCodes.ABORTED, `${command} aborted`));
    }
    const tag = String(this.#nextTag++);
    return new Promise<Row>((resolve, reject) => {
      const onAbort = () => {
        this.#finish(tag, mikrotikError(MikrotikErrorCodes.ABORTED, `${command} on ${this.#target} aborted`));
        this.#cancel(tag);
      };
      const timer = setTimeout(() => {
        // A command that times out leaves the stream in an unknown state: close the connection
        // so the next poll starts clean (the router may be overloaded or silent).
        const err = mikrotikError(
          MikrotikErrorCodes.TIMEOUT,
          `${command} on ${this.#target}: no reply within ${options.timeoutMs} ms`,
        );
        this.#finish(tag, err);
        this.destroy(err);
      }, options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(tag, {
        rows,
        maxRows: options.maxRows ?? Number.POSITIVE_INFINITY,
        bytes: 0,
        maxBytes: options.maxBytes ?? DEFAULT_MAX_REPLY_BYTES,
        resolve,
        reject,
        timer,
        cleanup: () => options.signal?.removeEventListener('abort', onAbort),
        command,
      });
      this.lastActivity = Date.now();
      this.#socket.write(encodeSentence([...words, `.tag=${tag}`]));
    });
  }

  /** Asks the router to stop a command; its late replies are ignored as unregistered. */
  #cancel(tag: string): void {
    if (this.alive) this.#socket.write(encodeSentence(['/cancel', `=tag=${tag}`, `.tag=c${tag}`]));
  }

  /** Settles a pending command (resolve with `value`, or reject with an Error). */
  #finish(tag: string, outcome: Error | Row): void {
    const p = this.#pending.get(tag);
    if (!p) return;
    this.#pending.delete(tag);
    clearTimeout(p.timer);
    p.cleanup();
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  #onReply(reply: ReturnType<typeof parseReply>, bytes: number): void {
    if (reply.type === '!fatal') {
      const reason = reply.text ?? 'no reason';
      this.destroy(
        mikrotikError(MikrotikErrorCodes.FATAL, `${this.#target} sent !fatal (${reason.slice(0, 80)})`),
      );
      return;
    }
    const p = reply.tag === undefined ? undefined : this.#pending.get(reply.tag);
    if (!p) {
      this.ignored.unregisteredTags++;
      return;
    }
    switch (reply.type) {
      case '!re':
        p.bytes += bytes;
        if (p.rows.length >= p.maxRows || p.bytes > p.maxBytes) {
          const what = p.rows.length >= p.maxRows ? `${p.maxRows} rows` : `${p.maxBytes} bytes`;
          this.#finish(
            reply.tag as string,
            mikrotikError(MikrotikErrorCodes.TOO_LARGE, `${p.command} returned more than ${what}`),
          );
          this.#cancel(reply.tag as string);
        } else {
          p.rows.push(reply.attrs);
        }
        return;
      case '!done':
        this.#finish(reply.tag as string, reply.attrs);
        return;
      case '!trap': {
        const message = (reply.attrs.message ?? 'error').slice(0, 200);
        const code = /no such command|unknown command|no such item/i.test(message)
          ? MikrotikErrorCodes.NO_SUCH_COMMAND
          : MikrotikErrorCodes.TRAP;
        this.#finish(reply.tag as string, mikrotikError(code, `${p.command}: ${message}`));
        return;
      }
      default:
        // `!empty` (7.18+: "no rows", always followed by `!done`) and any word RouterOS may add.
        this.ignored.unknownReplies++;
    }
  }

  /** Closes the connection; every pending command rejects with `reason`. Safe to call twice. */
  destroy(reason?: MikrotikError): void {
    if (this.#closedError) return;
    const err = reason ?? mikrotikError(MikrotikErrorCodes.CLOSED, `connection to ${this.#target} closed`);
    this.#closedError = err;
    for (const tag of [...this.#pending.keys()]) this.#finish(tag, err);
    this.#socket.destroy();
    const listeners = this.#closeListeners;
    this.#closeListeners = [];
    for (const fn of listeners) {
      try {
        fn(err);
      } catch {
        // A close listener must not break the others.
      }
    }
  }

  /** Closes politely (`/quit` is not needed: the router drops the session on FIN). */
  close(): void {
    this.destroy(mikrotikError(MikrotikErrorCodes.CLOSED, `connection to ${this.#target} closed by us`));
  }
}
