import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { MonitorError } from '@ispmonitor/core';
import { PostgresErrors } from '../errors.js';

/**
 * Raised when another live process (or this one) already holds a PGlite data folder:
 * `PostgresErrors.DB_DATADIR_LOCKED` (503), with the folder and the holder's pid.
 */
export class DataDirLockedError extends MonitorError {
  override readonly name: string = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    const spec = PostgresErrors.DB_DATADIR_LOCKED;
    super(
      spec.code,
      `PGlite data folder ${dataDir} is in use by process ${ownerPid}` +
        (ownerPid === process.pid ? ' (this process)' : '') +
        ': PGlite cannot share a folder between processes; stop that process or use another dataDir',
      { plugin: 'postgres', status: spec.status },
    );
  }
}

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
 * Takes the lock file `<dataDir>.lock` (beside the folder, so PGlite never sees it). It is
 * created exclusively (`wx`), holding the owner's pid; a lock whose pid no longer runs is
 * stale and taken over. PGlite itself takes no lock, and two processes on one folder corrupt it.
 * Limits: the pid check is local to this host, so do not share a folder over a network mount.
 */
export function lockDataDir(dataDir: string): FolderLock {
  const dir = resolve(dataDir);
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
          if (readOwner(path) === process.pid) {
            try {
              unlinkSync(path);
            } catch {
              /* already gone */
            }
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(path);
    if (owner !== undefined && alive(owner)) throw new DataDirLockedError(dir, owner);
    // Stale (owner gone) or half-written: remove and try again.
    try {
      unlinkSync(path);
    } catch {
      /* another process removed it first: retry the create */
    }
  }
  throw new DataDirLockedError(dir, readOwner(path) ?? 0);
}
