/**
 * One API session of an emulated router: login (since 6.43 and the older MD5 challenge),
 * `print` with `.proplist`, queries and `count-only`, `/interface/ethernet/monitor` (once, or every
 * second until cancelled), `/cancel`, `/quit`, and the fault modes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type net from 'node:net';
import { ethernetMonitor } from './ethernet.js';
import type { RouterModel } from './model.js';
import { type Command, parseCommand, pushSentence, SentenceParser, sentenceBytes } from './protocol.js';
import { matches } from './query.js';
import { inflate, rowWords } from './rows.js';
import { menuRows } from './tables.js';

/** Ways an emulated router misbehaves. */
export type RouterOsFault =
  | 'none'
  /** Every reply is delayed by `slowMs`. */
  | 'slow'
  /** Accepts the connection and never answers anything. */
  | 'silent'
  /** Answers the login, then never answers again. */
  | 'silent-after-login'
  /** Sends part of a reply (cut inside a word) and closes the connection. */
  | 'drop-mid-reply'
  /** Precedes every reply with a reply word RouterOS does not (yet) have. */
  | 'unknown-reply'
  /** Subscriber tables (`/ppp/active`, leases) have `hugeRows` rows. */
  | 'huge-table'
  /** Refuses every login as RouterOS does for a wrong password. */
  | 'bad-password'
  /** Sends data on a tag nobody asked for before every reply. */
  | 'unregistered-tag'
  /** Answers the first command after login with `!fatal` and closes. */
  | 'fatal'
  /** Sends a reserved control byte (not the API protocol). */
  | 'garbage'
  /** Answers with a `!re` whose words never end (small words, no terminating empty word). */
  | 'endless-sentence'
  /** Answers with one `!re` of a dozen half-megabyte words (6 MiB in one sentence). */
  | 'fat-sentence';

/** What a session needs from its server. */
export interface SessionHost {
  model: RouterModel;
  username: string;
  password: string;
  legacyLogin: boolean;
  fault: () => RouterOsFault;
  slowMs: number;
  hugeRows: number;
  /** Counts requests per command path (tests check what a client asked for). */
  count: (path: string) => void;
}

const HUGE_MENUS = new Set(['/ppp/active', '/ip/dhcp-server/lease']);
const MONITOR = '/interface/ethernet/monitor';
/** Most words the `endless-sentence` fault sends before it gives up. */
const ENDLESS_WORDS = 5_000_000;
/** How often a `monitor` without `once` repeats its rows, as RouterOS does. */
const MONITOR_PERIOD_MS = 1000;

/** Serves one connection until it closes. */
export function serveSession(socket: net.Socket, host: SessionHost): void {
  let loggedIn = false;
  let challenge: Buffer | undefined;
  const delayed = new Map<string, ReturnType<typeof setTimeout>>();
  const send = (words: string[]) => socket.write(sentenceBytes(words));
  const tagged = (words: string[], tag?: string) => (tag === undefined ? words : [...words, `.tag=${tag}`]);
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    for (const t of delayed.values()) clearTimeout(t);
  });

  const parser = new SentenceParser((words) => {
    try {
      handle(parseCommand(words));
    } catch {
      socket.destroy();
    }
  });
  socket.on('data', (chunk: Buffer) => {
    try {
      parser.feed(chunk);
    } catch {
      socket.destroy();
    }
  });

  function login(cmd: Command): void {
    const name = cmd.args.get('name');
    const response = cmd.args.get('response');
    if (host.legacyLogin && response === undefined) {
      challenge = randomBytes(16);
      send(tagged(['!done', `=ret=${challenge.toString('hex')}`], cmd.tag));
      return;
    }
    let ok = name === host.username && host.fault() !== 'bad-password';
    if (response !== undefined) {
      const md5 = createHash('md5')
        .update(Buffer.from([0]))
        .update(host.password)
        .update(challenge ?? Buffer.alloc(0));
      ok &&= challenge !== undefined && response === `00${md5.digest('hex')}`;
    } else {
      ok &&= cmd.args.get('password') === host.password;
    }
    if (!ok) {
      send(tagged(['!trap', '=message=invalid user name or password (6)'], cmd.tag));
      send(tagged(['!done'], cmd.tag));
      return;
    }
    loggedIn = true;
    send(tagged(['!done'], cmd.tag));
  }

  function handle(cmd: Command): void {
    host.count(cmd.path);
    const fault = host.fault();
    if (fault === 'silent') return;
    if (cmd.path === '/login') {
      login(cmd);
      return;
    }
    if (!loggedIn) {
      send(tagged(['!trap', '=message=not logged in'], cmd.tag));
      send(tagged(['!done'], cmd.tag));
      return;
    }
    if (fault === 'silent-after-login') return;
    if (fault === 'fatal' || cmd.path === '/quit') {
      send(['!fatal', fault === 'fatal' ? 'out of memory' : 'session terminated on request']);
      socket.end();
      return;
    }
    if (fault === 'garbage') {
      socket.write(Buffer.from([0xf8, 0xff, 0x00, 0x13]));
      return;
    }
    if (fault === 'endless-sentence') {
      endless(cmd);
      return;
    }
    if (fault === 'fat-sentence') {
      const word = `=junk=${'x'.repeat(512 * 1024)}`;
      send(tagged(['!re', ...Array.from({ length: 12 }, () => word)], cmd.tag));
      send(tagged(['!done'], cmd.tag));
      return;
    }
    if (cmd.path === '/cancel') {
      cancel(cmd);
      return;
    }
    if (
      cmd.path === MONITOR &&
      !cmd.args.has('once') &&
      !host.model.missingMenus.has('/interface/ethernet')
    ) {
      stream(cmd);
      return;
    }
    const out: Buffer[] = [];
    if (fault === 'unknown-reply')
      pushSentence(out, tagged(['!sparkle', '=what=new in RouterOS 9'], cmd.tag));
    if (fault === 'unregistered-tag') pushSentence(out, ['!re', '=name=stray', '.tag=999999']);
    reply(cmd, out);
    const bytes = Buffer.concat(out);
    if (fault === 'drop-mid-reply') {
      socket.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2) - 1)));
      socket.destroy();
      return;
    }
    if (fault === 'slow') {
      const key = cmd.tag ?? '';
      const timer = setTimeout(() => {
        delayed.delete(key);
        socket.write(bytes);
      }, host.slowMs);
      delayed.set(key, timer);
      return;
    }
    socket.write(bytes);
  }

  function cancel(cmd: Command): void {
    const target = cmd.args.get('tag');
    const timer = target === undefined ? undefined : delayed.get(target);
    if (timer !== undefined && target !== undefined) {
      clearTimeout(timer);
      delayed.delete(target);
      send(['!trap', '=category=2', '=message=interrupted', `.tag=${target}`]);
      send(['!done', `.tag=${target}`]);
    }
    send(tagged(['!done'], cmd.tag));
  }

  /**
   * A sentence that never ends: words in batches, as fast as the client reads them, until it
   * closes the connection (or after `ENDLESS_WORDS`, so a client that never stops is not a hang).
   */
  function endless(cmd: Command): void {
    let sent = 0;
    const batch = sentenceBytes(Array.from({ length: 1000 }, (_, i) => `=w${i}=${'y'.repeat(24)}`)).subarray(
      0,
      -1,
    );
    const head = sentenceBytes(tagged(['!re'], cmd.tag)).subarray(0, -1);
    socket.write(head);
    const more = (): void => {
      while (!socket.destroyed && sent < ENDLESS_WORDS) {
        sent += 1000;
        if (!socket.write(batch)) {
          socket.once('drain', more);
          return;
        }
      }
    };
    more();
  }

  /** `monitor` without `once`: rows now and every second until `/cancel` (or the connection ends). */
  function stream(cmd: Command): void {
    const once = (): boolean => {
      const out: Buffer[] = [];
      const ok = monitor(cmd, out);
      socket.write(Buffer.concat(out));
      return ok;
    };
    // A trap ends the command; otherwise rows keep coming.
    if (!once()) return;
    delayed.set(cmd.tag ?? '', setInterval(once, MONITOR_PERIOD_MS));
  }

  /**
   * `/interface/ethernet/monitor`: one row per port named in `numbers`, `!done` when `once`.
   * False when it answered with a trap.
   */
  function monitor(cmd: Command, out: Buffer[]): boolean {
    const done = cmd.args.has('once');
    const answer = ethernetMonitor(host.model, cmd.args.get('numbers'));
    if ('trap' in answer) {
      pushSentence(out, tagged(['!trap', `=message=${answer.trap}`], cmd.tag));
      pushSentence(out, tagged(['!done'], cmd.tag));
      return false;
    }
    const proplist = cmd.args.get('.proplist')?.split(',').filter(Boolean);
    for (const row of answer.rows) pushSentence(out, tagged(rowWords(row, proplist), cmd.tag));
    if (done) pushSentence(out, tagged(['!done'], cmd.tag));
    return true;
  }

  function reply(cmd: Command, out: Buffer[]): void {
    const trap = (message: string) => {
      pushSentence(out, tagged(['!trap', `=message=${message}`], cmd.tag));
      pushSentence(out, tagged(['!done'], cmd.tag));
    };
    if (cmd.path === MONITOR) {
      if (host.model.missingMenus.has('/interface/ethernet')) trap('no such command prefix');
      else monitor(cmd, out);
      return;
    }
    if (!cmd.path.endsWith('/print') && cmd.path !== '/system/resource/getall') {
      trap('no such command');
      return;
    }
    const menu = cmd.path.slice(0, cmd.path.lastIndexOf('/'));
    let rows = menuRows(host.model, menu);
    if (!rows) {
      trap('no such command prefix');
      return;
    }
    if (host.fault() === 'huge-table' && HUGE_MENUS.has(menu)) rows = inflate(rows, host.hugeRows);
    if (cmd.query.length > 0) rows = rows.filter((r) => matches(cmd.query, r));
    if (cmd.args.has('count-only')) {
      pushSentence(out, tagged(['!done', `=ret=${rows.length}`], cmd.tag));
      return;
    }
    const proplist = cmd.args.get('.proplist')?.split(',').filter(Boolean);
    for (const row of rows) pushSentence(out, tagged(rowWords(row, proplist), cmd.tag));
    if (rows.length === 0 && host.model.profile.emptyReply) pushSentence(out, tagged(['!empty'], cmd.tag));
    pushSentence(out, tagged(['!done'], cmd.tag));
  }
}
