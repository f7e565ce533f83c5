import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'

const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)

/** A copy of other content left this long is an earlier version's: no process still running serves it. */
const staleCopyMs = 24 * 3_600_000

/** Removes the folder's copies of earlier content (made by earlier versions), once a new one is made. */
async function removeStale(cacheDir: string, prefix: string, current: string): Promise<void> {
  for (const name of await readdir(cacheDir)) {
    const dir = path.join(cacheDir, name)
    if (!name.startsWith(prefix) || !/^[0-9a-f]{16}$/.test(name.slice(prefix.length)) || dir === current) continue
    const { mtimeMs } = await stat(dir).catch(() => ({ mtimeMs: Date.now() }))
    if (Date.now() - mtimeMs > staleCopyMs) await rm(dir, { recursive: true, force: true })
  }
}

/** Files worth compressing; images and fonts are compressed already. */
const compressible = new Set(['.css', '.js', '.mjs', '.map', '.svg', '.json', '.txt', '.html', '.xml'])

/**
 * Where the compressed copies are made: beside the dependencies, written by whoever installed
 * them, so no other user of the machine can plant a file there (as one could in the shared temp
 * folder), and kept across restarts.
 */
export const compressedCacheDir = path.resolve(import.meta.dirname, '../../node_modules/.cache/partner-portal-assets')

/** A folder of static files served under /assets/<name>/ ('' for core's own, under /assets/). */
export interface AssetFolder {
  name: string
  dir: string
  /** The files served, when not every file of the folder is. */
  only?: string[]
}

interface AssetFile {
  /** Path within the folder, with forward slashes. */
  file: string
  content: Buffer
}

function filesOf(folder: AssetFolder): AssetFile[] {
  const names = folder.only ?? (readdirSync(folder.dir, { recursive: true }) as string[])
    .filter((name) => statSync(path.join(folder.dir, name)).isFile())
  return names.sort().map((name) => ({ file: name.split(path.sep).join('/'), content: readFileSync(path.join(folder.dir, name)) }))
}

const digest = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

/**
 * The static files of the portal and of its features. Their URLs carry a hash of the content, so
 * browsers may cache them for a year; brotli and gzip copies are made once per content, at start-up,
 * and served to clients that accept them.
 */
export class Assets {
  private readonly urls = new Map<string, string>()
  private readonly files = new Map<AssetFolder, AssetFile[]>()

  constructor(readonly folders: AssetFolder[]) {
    for (const folder of folders) {
      const files = filesOf(folder)
      this.files.set(folder, files)
      const prefix = folder.name ? `${folder.name}/` : ''
      for (const { file, content } of files) this.urls.set(prefix + file, `/assets/${prefix}${file}?v=${digest(content).slice(0, 10)}`)
    }
  }

  /** The versioned URL of a file, named as in its URL: 'app.css', 'htmx/htmx.min.js', '<feature>/<file>'. */
  url(name: string): string {
    const url = this.urls.get(name)
    if (!url) throw new Error(`There is no asset "${name}". Name it as under /assets/: "<feature>/<file>" for a feature's own.`)
    return url
  }

  /**
   * The folder holding the folder's compressed copies (`<file>.br`, `<file>.gz`), made now unless an
   * earlier start made them for the same content. Several processes starting at once each write
   * their own and the first to rename it into place wins.
   */
  async compressed(folder: AssetFolder, cacheDir = compressedCacheDir): Promise<string> {
    const files = this.files.get(folder)!
    const hash = createHash('sha256')
    for (const { file, content } of files) hash.update(file).update('\0').update(digest(content))
    const target = path.join(cacheDir, `${folder.name || 'core'}-${hash.digest('hex').slice(0, 16)}`)
    if (existsSync(target)) return target
    const building = `${target}.${process.pid}-${randomBytes(4).toString('hex')}`
    await mkdir(building, { recursive: true })
    try {
      await Promise.all(files.filter(({ file }) => compressible.has(path.extname(file))).map(async ({ file, content }) => {
        const out = path.join(building, file)
        await mkdir(path.dirname(out), { recursive: true })
        const [br, gz] = await Promise.all([
          brotli(content, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length } }),
          gzip(content, { level: zlib.constants.Z_BEST_COMPRESSION })
        ])
        if (br.length < content.length) await writeFile(`${out}.br`, br)
        if (gz.length < content.length) await writeFile(`${out}.gz`, gz)
      }))
      await rename(building, target)
    } catch (err) {
      await rm(building, { recursive: true, force: true })
      if (!existsSync(target)) throw err
    }
    await removeStale(cacheDir, `${folder.name || 'core'}-`, target)
    return target
  }
}
