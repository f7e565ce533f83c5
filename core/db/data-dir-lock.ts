import lockfile from 'proper-lockfile'

export class DataDirLockedError extends Error {
  constructor(dir: string) {
    super(`The data folder ${dir} is in use by another Partner Portal process. ` +
      'Stop that process, or point DATA_DIR at another folder.')
  }
}

/** PGlite takes no lock of its own; two processes on one folder would corrupt it. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dir, { lockfilePath: `${dir}/.lock`, stale: 15_000, update: 5_000 })
  } catch (err) {
    if ((err as { code?: string }).code === 'ELOCKED') throw new DataDirLockedError(dir)
    throw err
  }
}
