import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';

/** A held lock: `release` removes the lock file if it is still ours. */
export interface FolderLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else: still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock file `<dir>.lock` (beside the folder, so whatever owns the folder never sees
 * it), for a folder one process at a time may use (an embedded database, a spool being replayed).
 * It is created exclusively (`wx`) and holds the owner's pid, host and time; a lock whose pid no
 * longer runs, or a half-written one, is stale and taken over. When a live process holds it,
 * `held(ownerPid, dir)` makes the error thrown. The pid check is local to this host: do not share
 * such a folder over a network mount.
 */
export function lockFolder(folder: string, held: (ownerPid: number, dir: string) => Error): FolderLock {
  const dir = resolve(folder);
  const path = `${dir}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  const content = `${process.pid}\n${hostname()}\n${new Date().toISOString()}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, content, { flag: 'wx', mode: 0o644 });
      return {
        path,
        release() {
          // Only remove it if it is still ours: a stale-lock takeover may have replaced it.
          if (readOwner(path) !== process.pid) return;
          try {
            unlinkSync(path);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(path);
    if (owner !== undefined && alive(owner)) throw held(owner, dir);
    try {
      unlinkSync(path);
    } catch {
      /* another process removed it first: retry the create */
    }
  }
  throw held(readOwner(path) ?? 0, dir);
}
