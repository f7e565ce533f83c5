import {
  OperationNodeTransformer, SelectQueryNode, ValueNode, type KyselyPlugin, type LimitNode, type OffsetNode, type OperationNode,
  type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow
} from 'kysely'

const inline = (node: OperationNode): OperationNode =>
  ValueNode.is(node) && Number.isSafeInteger(node.value) ? ValueNode.createImmediate(node.value) : node

class LimitsInText extends OperationNodeTransformer {
  protected override transformLimit(node: LimitNode): LimitNode {
    return { ...node, limit: inline(node.limit) }
  }

  protected override transformOffset(node: OffsetNode): OffsetNode {
    return { ...node, offset: inline(node.offset) }
  }
}

/**
 * Writes LIMIT and OFFSET numbers into the query text rather than sending them as parameters.
 * PostgreSQL cannot price a LIMIT it does not know: it costs a prepared statement's generic plan as
 * if it read a tenth of the table, finds it dearer than planning anew and then plans on every run
 * (0.6–1.1 ms each time for the pipeline list at 1,000,000 deals, see bench/RESULTS.md). With the
 * number in the text the generic plan is priced right and kept. Limits are page sizes, so this adds
 * only a few texts; raw SQL says `limit ${sql.lit(n)}` for the same reason. Only selects with a
 * limit, an offset or common table expressions are rewritten: walking every query would cost more
 * (3–4 µs) than the session check's query itself takes to build.
 */
export class InlineLimitsPlugin implements KyselyPlugin {
  readonly #transformer = new LimitsInText()

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args
    return SelectQueryNode.is(node) && (node.limit || node.offset || node.with) ? this.#transformer.transformNode(node) : node
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}
