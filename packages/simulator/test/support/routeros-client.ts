/**
 * A bare RouterOS API client for the emulator's own tests: sends sentences, collects reply
 * sentences. (The plugin's hardened client is tested against the emulator in plugin-mikrotik.)
 */
import net from 'node:net';
import { afterEach } from 'vitest';
import {
  type RouterOsEmulator,
  type RouterOsEmulatorOptions,
  SentenceParser,
  sentenceBytes,
  startRouterOsEmulator,
} from '../../src/routeros/index.js';

/** A raw connection: `send` words, `until` a reply sentence matches. */
export interface RawClient {
  sentences: string[][];
  send(words: string[]): void;
  /** Resolves with every sentence received up to and including the first that matches. */
  until(match: (words: string[]) => boolean, timeoutMs?: number): Promise<string[][]>;
  /** Sends a command and returns its reply sentences (through `!done` with the tag). */
  run(words: string[], tag?: string): Promise<string[][]>;
  close(): void;
}

let tags = 0;

/** Connects to an emulator on loopback. */
export async function rawClient(port: number): Promise<RawClient> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const sentences: string[][] = [];
  let waiter: (() => void) | undefined;
  const parser = new SentenceParser((w) => {
    sentences.push(w);
    waiter?.();
  }, 8 << 20);
  socket.on('data', (c: Buffer) => parser.feed(c));
  socket.on('error', () => {});
  let seen = 0;
  const client: RawClient = {
    sentences,
    send: (words) => void socket.write(sentenceBytes(words)),
    until(match, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching reply')), timeoutMs);
        const check = () => {
          for (let i = seen; i < sentences.length; i++) {
            if (match(sentences[i] as string[])) {
              const out = sentences.slice(seen, i + 1);
              seen = i + 1;
              clearTimeout(timer);
              waiter = undefined;
              resolve(out);
              return;
            }
          }
        };
        waiter = check;
        check();
      });
    },
    run(words, tag = `t${++tags}`) {
      client.send([...words, `.tag=${tag}`]);
      return client
        .until((w) => w[0] === '!done' && w.includes(`.tag=${tag}`))
        .then((all) => all.filter((w) => w.includes(`.tag=${tag}`)));
    },
    close: () => void socket.destroy(),
  };
  return client;
}

/** `=key=value` words of a sentence as an object. */
export function attrs(words: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words) {
    if (!w.startsWith('=')) continue;
    const eq = w.indexOf('=', 1);
    out[w.slice(1, eq)] = w.slice(eq + 1);
  }
  return out;
}

/** Logs a raw client in as the emulator's default user (admin, no password). */
export function login(c: RawClient): Promise<string[][]> {
  return c.run(['/login', '=name=admin', '=password=']);
}

/**
 * For a test file: starts emulated routers, each with a raw client on it (logged in when asked),
 * and closes every one after each test.
 */
export function emulatedRouters(): (
  options?: RouterOsEmulatorOptions,
  how?: { login?: boolean },
) => Promise<{ r: RouterOsEmulator; c: RawClient }> {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const x of open.splice(0)) await x.close();
  });
  return async (options = {}, how = {}) => {
    const r = await startRouterOsEmulator(options);
    open.push(r);
    const c = await rawClient(r.port);
    open.push(c);
    if (how.login) await login(c);
    return { r, c };
  };
}
