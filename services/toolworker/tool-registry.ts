// The worker's tools by name, each with its argument schema compiled once (ajv). Validation turns
// schema violations into field violations that name the field, for INVALID_ARGUMENT details.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FieldViolation } from '../../lib/grpc/errors.js';
import type { JsonObject } from '../../lib/json.js';
import type { Tool } from './tool.js';

interface RegisteredTool {
  tool: Tool<never>;
  validate: ValidateFunction;
}

/** "/patient/age" + missingProperty → "patient.age"; the root becomes "arguments". */
function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.split('/').filter(Boolean);
  const params = error.params as { missingProperty?: string; additionalProperty?: string; property?: string };
  const extra = params.missingProperty ?? params.additionalProperty ?? (error.keyword === 'dependentRequired' ? undefined : params.property);
  if (error.keyword === 'dependentRequired') path.push((error.params as { missingProperty: string }).missingProperty);
  else if (extra) path.push(extra);
  return path.length > 0 ? path.join('.') : 'arguments';
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return 'is not an argument of this tool';
  if (error.keyword === 'required') return 'is required';
  // The field is the missing one (fieldOf): say what asked for it, not ajv's "must have property …".
  if (error.keyword === 'dependencies' || error.keyword === 'dependentRequired') return `is required when ${(error.params as { property: string }).property} is given`;
  if (error.keyword === 'enum') return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return error.message ?? 'is invalid';
}

export class ToolRegistry {
  private readonly ajv = new Ajv({ allErrors: true, strict: true });
  private readonly tools = new Map<string, RegisteredTool>();

  register<Args>(tool: Tool<Args>): this {
    if (this.tools.has(tool.name)) throw new Error(`tool ${tool.name} is registered twice`);
    this.tools.set(tool.name, { tool: tool as unknown as Tool<never>, validate: this.ajv.compile(tool.inputSchema) });
    return this;
  }

  get(name: string): Tool<JsonObject> | undefined {
    return this.tools.get(name)?.tool as Tool<JsonObject> | undefined;
  }

  list(): Array<Tool<JsonObject>> {
    return [...this.tools.values()].map((t) => t.tool as Tool<JsonObject>).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The schema violations of `args` for tool `name` (empty when valid). */
  validate(name: string, args: JsonObject): FieldViolation[] {
    const registered = this.tools.get(name);
    if (!registered) throw new Error(`unknown tool ${name}`);
    if (registered.validate(args)) return [];
    const seen = new Set<string>();
    const violations: FieldViolation[] = [];
    for (const error of registered.validate.errors ?? []) {
      const violation = { field: fieldOf(error), description: describe(error) };
      const key = `${violation.field}|${violation.description}`;
      if (!seen.has(key)) violations.push(violation);
      seen.add(key);
    }
    return violations;
  }
}
