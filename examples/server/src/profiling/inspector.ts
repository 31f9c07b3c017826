/**
 * Profiles through `node:inspector`: a CPU profile (`.cpuprofile`, opens in Chrome DevTools'
 * Performance panel), a sampling heap profile (`.heapprofile`, DevTools' Memory panel) and a heap
 * snapshot (`.heapsnapshot`), of the main thread or of one worker thread. A worker is reached
 * from the main thread's own inspector session through the `NodeWorker` domain (the one DevTools
 * uses), so a worker needs no code of its own for it.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Session } from 'node:inspector';

/** What can be taken. */
export type ProfileKind = 'cpu' | 'heap' | 'snapshot';

/** File extension DevTools expects for each kind. */
export const PROFILE_EXTENSIONS: Record<ProfileKind, string> = {
  cpu: 'cpuprofile',
  heap: 'heapprofile',
  snapshot: 'heapsnapshot',
};

/** An inspector session with one thread: commands, and the events that thread sends. */
interface Link {
  post<T>(method: string, params?: object): Promise<T>;
  on(event: string, listener: (params: Record<string, unknown>) => void): void;
  close(): Promise<void>;
}

/** Longest wait for one inspector command; a heap snapshot of a large heap takes longest. */
const COMMAND_TIMEOUT_MS = 120_000;

/** Sends one command; rejects after `timeoutMs` so a command that never answers cannot hold the profiler. */
function postOn<T>(
  session: Session,
  method: string,
  params?: object,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`inspector: ${method} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    session.post(method, params ?? {}, (err: Error | null, result?: unknown) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(result as T);
    });
  });
}

/** A session with this thread. */
function ownThread(): Link {
  const session = new Session();
  session.connect();
  return {
    post: (method, params) => postOn(session, method, params),
    on: (event, listener) =>
      session.on(event, (m: { params: Record<string, unknown> }) => listener(m.params)),
    close: async () => session.disconnect(),
  };
}

/** How long to wait for the inspector to attach to a worker. */
const ATTACH_TIMEOUT_MS = 5_000;

/** A session with the worker thread `threadId`, relayed through this thread's inspector. */
async function workerThread(threadId: number): Promise<Link> {
  const session = new Session();
  session.connect();
  const listeners = new Map<string, (params: Record<string, unknown>) => void>();
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  let sessionId: string | undefined;
  const attached = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker thread ${threadId} did not attach to the inspector`)),
      ATTACH_TIMEOUT_MS,
    );
    session.on(
      'NodeWorker.attachedToWorker',
      (m: { params: { sessionId: string; workerInfo: { workerId: string } } }) => {
        if (m.params.workerInfo.workerId !== String(threadId)) return;
        clearTimeout(timer);
        resolve(m.params.sessionId);
      },
    );
  });
  session.on(
    'NodeWorker.receivedMessageFromWorker',
    (m: { params: { sessionId: string; message: string } }) => {
      if (m.params.sessionId !== sessionId) return;
      const msg = JSON.parse(m.params.message) as {
        id?: number;
        result?: unknown;
        error?: { message?: string };
        method?: string;
        params?: Record<string, unknown>;
      };
      if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message ?? 'inspector error'));
        else p?.resolve(msg.result);
      } else if (msg.method) listeners.get(msg.method)?.(msg.params ?? {});
    },
  );
  try {
    await postOn(session, 'NodeWorker.enable', { waitForDebuggerOnStart: false });
    sessionId = await attached;
  } catch (err) {
    session.disconnect();
    throw err;
  }
  return {
    post: <T>(method: string, params?: object) =>
      new Promise<T>((resolve, reject) => {
        const id = ++nextId;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`inspector: ${method} in worker thread ${threadId} did not answer`));
        }, COMMAND_TIMEOUT_MS);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            (resolve as (v: unknown) => void)(v);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        postOn(session, 'NodeWorker.sendMessageToWorker', {
          sessionId,
          message: JSON.stringify({ id, method, params: params ?? {} }),
        }).catch((err: Error) => {
          pending.delete(id);
          reject(err);
        });
      }),
    on: (event, listener) => listeners.set(event, listener),
    close: async () => {
      for (const p of pending.values()) p.reject(new Error('inspector session closed'));
      // Detaching is a courtesy: the session is disconnected either way, so do not wait long.
      await postOn(session, 'NodeWorker.detach', { sessionId }, 2_000).catch(() => {});
      session.disconnect();
    },
  };
}

/** A session with the main thread (`worker` undefined) or a worker thread (its `threadId`). */
function linkTo(worker: number | undefined): Promise<Link> {
  return worker === undefined ? Promise.resolve(ownThread()) : workerThread(worker);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Samples the CPU of a thread for `seconds` and returns the profile as JSON text. An abort (the
 * client went away) ends the sampling early; what was sampled so far is returned.
 */
export async function cpuProfile(seconds: number, worker?: number, signal?: AbortSignal): Promise<string> {
  const link = await linkTo(worker);
  try {
    await link.post('Profiler.enable');
    // 1 ms between samples: DevTools' own default, fine detail at a few % of one core.
    await link.post('Profiler.setSamplingInterval', { interval: 1000 });
    await link.post('Profiler.start');
    await sleep(seconds * 1000, signal);
    const { profile } = await link.post<{ profile: unknown }>('Profiler.stop');
    return JSON.stringify(profile);
  } finally {
    await link.close();
  }
}

/** Records a thread's allocations for `seconds` (sampling heap profiler); the profile as JSON text. */
export async function heapProfile(seconds: number, worker?: number, signal?: AbortSignal): Promise<string> {
  const link = await linkTo(worker);
  try {
    await link.post('HeapProfiler.enable');
    // One sample per 32 KiB allocated on average: V8's default, negligible overhead.
    await link.post('HeapProfiler.startSampling', { samplingInterval: 32_768 });
    await sleep(seconds * 1000, signal);
    const { profile } = await link.post<{ profile: unknown }>('HeapProfiler.stopSampling');
    return JSON.stringify(profile);
  } finally {
    await link.close();
  }
}

/**
 * Writes a heap snapshot of a thread to `file`. The snapshot arrives in chunks and goes to the
 * file as it comes, so a large heap is never held twice in memory. Writes are synchronous: they
 * must not depend on libuv's thread pool, which other work of the process may hold (a stream's
 * writes stalled there once, mid-snapshot), and the thread is paused for the snapshot anyway.
 * The thread stops while V8 walks its heap (about a second per few hundred MB).
 */
export async function heapSnapshot(file: string, worker?: number): Promise<void> {
  const fd = openSync(file, 'w', 0o600);
  let writeError: unknown;
  const link = await linkTo(worker).catch((err: unknown) => {
    closeSync(fd);
    throw err;
  });
  try {
    link.on('HeapProfiler.addHeapSnapshotChunk', (params) => {
      if (writeError) return;
      try {
        writeSync(fd, String(params.chunk ?? ''));
      } catch (err) {
        writeError = err;
      }
    });
    await link.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    if (writeError) throw writeError;
  } finally {
    await link.close();
    closeSync(fd);
  }
}
