import { type FolderLock, lockFolder, MonitorError } from '@ispmonitor/core';
import { PostgresErrors } from '../errors.js';

export type { FolderLock };

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

/**
 * Takes the lock file `<dataDir>.lock` (core's `lockFolder`: exclusive create, the owner's pid,
 * stale locks taken over). PGlite itself takes no lock, and two processes on one folder corrupt it.
 */
export function lockDataDir(dataDir: string): FolderLock {
  return lockFolder(dataDir, (owner, dir) => new DataDirLockedError(dir, owner));
}
