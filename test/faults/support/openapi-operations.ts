/**
 * The operations of the API as its own `/openapi.json` describes them (issue 12's fuzz starts
 * from the document, not from a list of its own): method, path template, path and query
 * parameters, and the request body's content type and schema with `$ref`s resolved.
 */

export interface JsonSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  maxLength?: number;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  $ref?: string;
}

export interface QueryParameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI template: `/escrows/{id}/deposit`. */
  path: string;
  /** `POST /escrows/{id}/deposit`: the key of the valid-request table. */
  key: string;
  pathParams: string[];
  query: QueryParameter[];
  body: { contentType: string; schema: JsonSchema } | null;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);
/** A schema never nests deeper than this; a bound on `$ref` resolution (cycles). */
const SCHEMA_DEPTH_MAX = 8;

function resolve(doc: OpenApiDocument, schema: JsonSchema, depth = 0): JsonSchema {
  if (depth > SCHEMA_DEPTH_MAX) return {};
  let s = schema;
  if (s.$ref) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`openapi.json: unresolved ${s.$ref}`);
    s = target;
  }
  const out: JsonSchema = { ...s };
  delete out.$ref;
  if (s.properties) {
    out.properties = Object.fromEntries(
      Object.entries(s.properties).map(([k, v]) => [k, resolve(doc, v, depth + 1)]),
    );
  }
  if (s.items) out.items = resolve(doc, s.items, depth + 1);
  return out;
}

type Parameter = NonNullable<OpenApiOperation['parameters']>[number];

function queryParameter(doc: OpenApiDocument, p: Parameter): QueryParameter {
  return { name: p.name, required: p.required === true, schema: resolve(doc, p.schema ?? {}) };
}

/** Every operation of the document, in its order. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const params = op.parameters ?? [];
      const content = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
      ops.push({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => queryParameter(doc, p)),
        body: content ? { contentType: content[0], schema: resolve(doc, content[1].schema) } : null,
      });
    }
  }
  return ops;
}

/** Fills a template with raw (already encoded) segment values. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`);
    return value;
  });
}
