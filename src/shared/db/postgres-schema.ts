import {
  DataTypeNode,
  type ColumnDefinitionNode,
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

/**
 * SQLite's `integer` is 64-bit; PostgreSQL's is 32-bit, and rollcall keeps unix milliseconds in
 * integer columns (past 2^31 since 1970-01-25). Its `real` is 4 bytes there too. So the frozen
 * migrations, written once with kysely's schema builder, are run on PostgreSQL through this plugin:
 * `integer` → `bigint`, `real` → `double precision`, and an autoincrement integer key → `bigserial`
 * (PostgreSQL has no `autoincrement`). Only DDL nodes are touched; the same files run on both
 * engines, so the schema cannot drift between them.
 * @see https://www.postgresql.org/docs/current/datatype-numeric.html
 */
export class PostgresSchemaPlugin implements KyselyPlugin {
  private readonly transformer = new WidenTypes();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

class WidenTypes extends OperationNodeTransformer {
  protected override transformDataType(node: DataTypeNode): DataTypeNode {
    if (node.dataType === 'integer') return DataTypeNode.create('bigint');
    if (node.dataType === 'real') return DataTypeNode.create('double precision');
    return super.transformDataType(node);
  }

  protected override transformColumnDefinition(node: ColumnDefinitionNode): ColumnDefinitionNode {
    const column = super.transformColumnDefinition(node);
    if (!column.autoIncrement) return column;
    return Object.freeze({ ...column, autoIncrement: false, dataType: DataTypeNode.create('bigserial') });
  }
}
