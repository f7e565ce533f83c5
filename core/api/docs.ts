import type { FastifyPluginAsync } from 'fastify'

type Schema = Record<string, unknown> & { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; $ref?: string; anyOf?: Schema[] }

export interface FieldDoc { name: string; type: string; required: boolean; description: string; depth: number }
export interface OperationDoc {
  id: string; method: string; path: string; summary: string; description: string; access: string
  parameters: FieldDoc[]; body: FieldDoc[]; responses: Array<{ status: string; description: string; fields: FieldDoc[] }>
}

const refName = (ref: string) => ref.replace(/^#\/components\/schemas\//, '')

/** A schema's type, as a reader wants it: "string (uuid)", "array of Account", "string or null". */
function typeOf(schema: Schema): string {
  if (schema.$ref) return refName(schema.$ref)
  // A long list of choices (the countries) is named, not listed.
  if (schema.anyOf && schema.anyOf.length > 8 && schema.anyOf.every((s) => s.const !== undefined)) return `one of ${schema.anyOf.length} codes`
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ')
  if (Array.isArray(schema.type)) return typeOf({ ...schema, type: schema.type[0] }) + schema.type.slice(1).map((t) => ` or ${t}`).join('')
  if (schema.type === 'array' && schema.items) return `array of ${typeOf(schema.items)}`
  if (Array.isArray(schema.enum) && schema.enum.length > 8) return `one of ${schema.enum.length} codes`
  if (schema.enum) return (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ')
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  const format = typeof schema.format === 'string' ? ` (${schema.format})` : ''
  return `${schema.type ?? 'any'}${format}`
}

/** An object's fields, nested objects indented below their field (two levels at most). */
function fieldsOf(schema: Schema | undefined, depth = 0): FieldDoc[] {
  if (!schema?.properties) return []
  const required = new Set(schema.required ?? [])
  return Object.entries(schema.properties).flatMap(([name, field]) => {
    const inner = field.type === 'array' ? field.items : field
    return [
      { name, type: typeOf(field), required: required.has(name), description: String(field.description ?? ''), depth },
      ...(depth < 2 && inner?.properties ? fieldsOf(inner, depth + 1) : [])
    ]
  })
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, {
    operationId?: string; summary?: string; description?: string; 'x-access'?: string
    parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: Schema }>
    requestBody?: { content?: Record<string, { schema?: Schema }> }
    responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>
  }>>
  components?: { schemas?: Record<string, Schema> }
  webhooks?: OpenApiDocument['paths']
}

/** The operations of the document, in a shape a template lists without logic of its own. */
export function operationsOf(document: OpenApiDocument): OperationDoc[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({
    id: `${method}-${path}`.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, ''),
    method: method.toUpperCase(), path, summary: op.summary ?? '', description: op.description ?? '', access: op['x-access'] ?? '',
    parameters: (op.parameters ?? []).map((p) => ({
      name: p.name, type: `${p.in}: ${p.schema ? typeOf(p.schema) : 'string'}`, required: Boolean(p.required), description: p.description ?? String(p.schema?.description ?? ''), depth: 0
    })),
    body: fieldsOf(Object.values(op.requestBody?.content ?? {})[0]?.schema),
    responses: Object.entries(op.responses ?? {}).map(([status, r]) => ({
      // @fastify/swagger's placeholder when a response schema has no description of its own.
      status, description: r.description === 'Default Response' ? '' : r.description ?? '', fields: status.startsWith('2') ? fieldsOf(Object.values(r.content ?? {})[0]?.schema) : []
    }))
  })))
}

/** /api/docs: the API's reference, drawn on the server from the OpenAPI document (no script, so it works under the portal's CSP). */
const apiDocs: FastifyPluginAsync<{ publicUrl: string }> = async (app, { publicUrl }) => {
  app.get('/api/docs', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const document = app.swagger() as OpenApiDocument
    const webhooks = operationsOf({ paths: document.webhooks }).map((op) => ({ ...op, id: `webhook-${op.id}` }))
    return reply.page('api/docs', { operations: operationsOf(document), webhooks, baseUrl: publicUrl }, { title: 'API reference' })
  })
}

export default apiDocs
