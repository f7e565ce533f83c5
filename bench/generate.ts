import { parseArgs } from 'node:util'
import { defaultBenchUrl } from './bench-partner.ts'
import { generate } from './generator.ts'

// tsx bench/generate.ts --opportunities 1000000   (DATABASE_URL, default the local pp_bench)
const { values } = parseArgs({ options: { opportunities: { type: 'string', default: '10000' } } })
await generate(process.env.DATABASE_URL ?? defaultBenchUrl, Number(values.opportunities))
