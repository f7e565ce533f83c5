import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'

export class DataDirLockedError extends Error {
  constructor(dir: string, holder: LockHolder) {
    super(`The data folder ${dir} is in use by another Partner Portal process (pid ${holder.pid} on ${holder.host}). ` +
      'Stop that process, or point DATA_DIR at another folder.')
  }
}

export interface LockHolder {
  pid: number
  host: string
  /** When the holder's process started: a portal restarted as pid 1 in a container has its old pid. */
  started: number
}

export interface DataDirLock {
  /** The holder whose lock was taken over because its process was gone, if there was one. */
  tookOverFrom?: LockHolder
  release(): void
}

/** A lock on another host is trusted while it is refreshed; this long without, its holder is gone. */
const staleMs = 30_000
const refreshMs = 10_000

const me: LockHolder = { pid: process.pid, host: hostname(), started: Math.round(Date.now() - process.uptime() * 1000) }

/** Whether a process of this machine is running (EPERM: it is, another user's). */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readHolder(file: string): { holder: LockHolder; text: string } | undefined {
  try {
    const text = readFileSync(file, 'utf8')
    const holder = JSON.parse(text) as Partial<LockHolder>
    return { holder: { pid: Number(holder.pid) || 0, host: String(holder.host ?? '?'), started: Number(holder.started) || 0 }, text }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    return { holder: { pid: 0, host: '?', started: 0 }, text: '' }
  }
}

/**
 * On this host the holder's process id says at once whether it still runs (a portal killed with
 * SIGKILL leaves its lock behind, and a service manager restarts it straight away). Elsewhere —
 * a data folder on shared storage — only the refresh time can tell.
 */
function isStale(file: string, holder: LockHolder): boolean {
  const refreshed = (() => {
    try {
      return statSync(file).mtimeMs
    } catch {
      return 0
    }
  })()
  if (holder.host === hostname()) {
    if (holder.pid === process.pid) return holder.started !== me.started
    // A live process of that id that has not touched the lock for minutes is another process
    // that was given the id after a reboot.
    return !processAlive(holder.pid) || Date.now() - refreshed > staleMs * 10
  }
  return Date.now() - refreshed > staleMs
}

function create(file: string, text: string): boolean {
  try {
    const fd = openSync(file, 'wx')
    writeSync(fd, text)
    closeSync(fd)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

/**
 * PGlite takes no lock of its own; two processes on one folder would corrupt it. The lock file
 * names its holder (process id and host) and is touched while held.
 */
export function lockDataDir(dir: string): DataDirLock {
  const file = `${dir}/.lock`
  const text = JSON.stringify(me)
  let tookOverFrom: LockHolder | undefined
  for (let attempt = 0; !create(file, text); attempt++) {
    const current = readHolder(file)
    if (!current) continue
    if (attempt > 2 || !isStale(file, current.holder)) throw new DataDirLockedError(dir, current.holder)
    // Moved aside rather than deleted: of two processes taking over at once, only one finds the
    // stale holder's text in what it moved, and the other puts back what it took.
    const aside = `${file}.${process.pid}.stale`
    try {
      renameSync(file, aside)
    } catch {
      continue
    }
    if (readHolder(aside)?.text === current.text) {
      unlinkSync(aside)
      tookOverFrom = current.holder
    } else {
      renameSync(aside, file)
    }
  }
  const refresh = setInterval(() => {
    const now = new Date()
    try {
      utimesSync(file, now, now)
    } catch {
      // The folder went away; nothing is left to guard.
    }
  }, refreshMs)
  refresh.unref()
  return {
    tookOverFrom,
    release: () => {
      clearInterval(refresh)
      if (readHolder(file)?.text === text) unlinkSync(file)
    }
  }
}
