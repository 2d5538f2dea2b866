// `check_medications` end to end: through the ToolRegistry (ajv strict compiles and enforces its
// schema), the tool's own checks for impossible values, the output shape, the online scores, and
// the worker's ExecuteTool handler turning a bad value into INVALID_ARGUMENT naming the field.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { status, type ServiceError } from '@grpc/grpc-js';
import pino from 'pino';
import type { Struct__Output } from '../../gen/ts/google/protobuf/Struct.js';
import type { Value__Output } from '../../gen/ts/google/protobuf/Value.js';
import type { ExecuteToolResponse } from '../../gen/ts/tracemesh/toolworker/v1/ExecuteToolResponse.js';
import { decodeErrorDetails } from '../../lib/grpc/errors.js';
import type { JsonObject, JsonValue } from '../../lib/json.js';
import { ToolArgumentError } from '../../services/toolworker/tool.js';
import { ToolRegistry } from '../../services/toolworker/tool-registry.js';
import { createToolWorkerHandlers } from '../../services/toolworker/toolworker-service.js';
import { CHECK_MEDICATIONS_TOOL_NAME, checkMedicationsTool, INTERACTION_SAFETY } from '../../services/toolworker/tools/check-medications.js';

const registry = new ToolRegistry().register(checkMedicationsTool);
const context = { signal: new AbortController().signal, log: pino({ level: 'silent' }) };

async function run(args: JsonObject) {
  const violations = registry.validate(CHECK_MEDICATIONS_TOOL_NAME, args);
  assert.deepEqual(violations, [], 'the arguments pass the schema');
  return registry.get(CHECK_MEDICATIONS_TOOL_NAME)!.execute(args, context);
}

async function rejects(args: JsonObject, field: string, description: RegExp): Promise<void> {
  await assert.rejects(Promise.resolve().then(() => run(args)), (error: unknown) => {
    assert.ok(error instanceof ToolArgumentError, String(error));
    assert.equal(error.field, field);
    assert.match(error.description, description);
    return true;
  });
}

/** A Struct as grpc-js hands it to a handler (with `kind` on every value). */
function receivedStruct(object: JsonObject): Struct__Output {
  const value = (v: JsonValue): Value__Output => {
    if (v === null) return { kind: 'nullValue', nullValue: 'NULL_VALUE' } as Value__Output;
    if (typeof v === 'number') return { kind: 'numberValue', numberValue: v } as Value__Output;
    if (typeof v === 'string') return { kind: 'stringValue', stringValue: v } as Value__Output;
    if (typeof v === 'boolean') return { kind: 'boolValue', boolValue: v } as Value__Output;
    if (Array.isArray(v)) return { kind: 'listValue', listValue: { values: v.map(value) } } as Value__Output;
    return { kind: 'structValue', structValue: receivedStruct(v) } as Value__Output;
  };
  return { fields: Object.fromEntries(Object.entries(object).map(([k, v]) => [k, value(v)])) };
}

type Medication = JsonObject & { query: string; found: boolean; flags?: Array<{ type: string; level: string; message: string }> };

function medicationsOf(output: JsonObject): Medication[] {
  return output.medications as Medication[];
}

describe('check_medications tool', () => {
  it('describes itself for the model with a strict draft-07 schema', () => {
    const tool = registry.get(CHECK_MEDICATIONS_TOOL_NAME);
    assert.ok(tool);
    assert.match(tool.description, /interaction/);
    assert.equal(tool.inputSchema.type, 'object');
    assert.deepEqual(tool.inputSchema.required, ['medications']);
  });

  it('checks a combination product written as its ingredients as each of them, interactions included', async () => {
    const outcome = await run({ medications: ['lisinopril/hydrochlorothiazide', 'lithium'] });
    const output = outcome.output as { medications: Array<{ query: string; found: boolean }>; interactions: Array<{ drugs: string[] }>; notes: string[] };
    assert.deepEqual(output.medications.map((m) => [m.query, m.found]), [['lisinopril', true], ['hydrochlorothiazide', true], ['lithium', true]]);
    assert.equal(output.interactions.length, 2, 'both components interact with lithium');
    assert.ok(output.notes.includes('"lisinopril/hydrochlorothiazide" was checked as its components: lisinopril, hydrochlorothiazide.'));
    for (const written of ['sitagliptin and metformin', 'lisinopril-hydrochlorothiazide']) {
      const parts = ((await run({ medications: [written] })).output as { medications: Array<{ found: boolean }> }).medications;
      assert.deepEqual(parts.map((m) => m.found), [true, true], written);
    }
    // A name in the reference is never split, nor an unknown one into spelling guesses.
    assert.deepEqual(((await run({ medications: ['Toprol-XL'] })).output as { medications: Array<{ query: string }> }).medications.map((m) => m.query), ['Toprol-XL']);
    assert.deepEqual(((await run({ medications: ['zorblax-metfromin'] })).output as { medications: Array<{ query: string; found: boolean }> }).medications.map((m) => [m.query, m.found]), [['zorblax-metfromin', false]]);
  });

  it('checks a combination product by brand as each of its components, interactions and duplicates included', async () => {
    type Output = { medications: Array<{ query: string; found: boolean; name: string; matched: JsonObject; flags: Array<{ type: string; message: string }> }>; interactions: Array<{ drugs: string[] }>; notes: string[] };
    const output = (await run({ medications: ['Zestoretic', 'lithium'], patient: { age: 62 } })).output as Output;
    assert.deepEqual(output.medications.map((m) => [m.query, m.name, m.matched]), [
      ['Zestoretic', 'lisinopril', { by: 'combination', name: 'Zestoretic' }],
      ['Zestoretic', 'hydrochlorothiazide', { by: 'combination', name: 'Zestoretic' }],
      ['lithium', 'lithium', { by: 'name', name: 'lithium' }],
    ]);
    assert.deepEqual(output.interactions.map((x) => x.drugs), [['lisinopril', 'lithium'], ['hydrochlorothiazide', 'lithium']]);
    assert.ok(output.notes.includes('"Zestoretic" is a combination product (Zestoretic), checked as its components: lisinopril, hydrochlorothiazide.'));
    // Any case, with a strength or an XR suffix; a component named again is duplicate therapy.
    const written = (await run({ medications: ['hyzaar 100-25 mg', 'Janumet XR 50/1000', 'xigduo', 'losartan'] })).output as Output;
    assert.deepEqual(written.medications.map((m) => m.name), ['losartan', 'hydrochlorothiazide', 'sitagliptin', 'metformin', 'dapagliflozin', 'metformin', 'losartan']);
    assert.ok(written.medications[5]?.flags.some((f) => f.type === 'duplicate' && f.message.includes('"Janumet XR 50/1000" (metformin)')));
    assert.ok(written.medications[6]?.flags.some((f) => f.type === 'duplicate' && f.message.includes('"hyzaar 100-25 mg" (losartan)')));
  });

  it('enforces the schema: 1–20 names, known patient fields of the right types', () => {
    const fields = (args: JsonObject) => registry.validate(CHECK_MEDICATIONS_TOOL_NAME, args).map((v) => v.field);
    assert.deepEqual(fields({}), ['medications']);
    assert.deepEqual(fields({ medications: [] }), ['medications']);
    assert.deepEqual(fields({ medications: Array.from({ length: 21 }, () => 'metformin') }), ['medications']);
    assert.deepEqual(fields({ medications: [''] }), ['medications.0']);
    assert.deepEqual(fields({ medications: [42] }), ['medications.0']);
    assert.deepEqual(fields({ medications: ['metformin'], dose: 1 }), ['dose']);
    assert.deepEqual(fields({ medications: ['metformin'], patient: { egfr: '42' } }), ['patient.egfr']);
    assert.deepEqual(fields({ medications: ['metformin'], patient: { weight: 80 } }), ['patient.weight']);
    assert.deepEqual(fields({ medications: ['metformin'], patient: { pregnant: 'yes' } }), ['patient.pregnant']);
    assert.deepEqual(fields({ medications: ['metformin'], patient: { allergies: 'penicillin' } }), ['patient.allergies']);
    assert.deepEqual(fields({ medications: ['metformin'], patient: { age: 45, egfr: 42, pregnant: false, allergies: ['sulfa'] } }), []);
  });

  it('rejects impossible values with ToolArgumentError naming the field', async () => {
    await rejects({ medications: ['metformin'], patient: { egfr: -1 } }, 'patient.egfr', /-1 mL\/min\/1\.73m² is outside the plausible range 0–200/);
    await rejects({ medications: ['metformin'], patient: { egfr: 250 } }, 'patient.egfr', /outside the plausible range/);
    await rejects({ medications: ['metformin'], patient: { age: 131 } }, 'patient.age', /131 years is outside the plausible range 0–130/);
    await rejects({ medications: ['metformin'], patient: { age: -2 } }, 'patient.age', /outside/);
    await rejects({ medications: ['metformin', '   '] }, 'medications.1', /is blank/);
    await rejects({ medications: ['metformin'], patient: { allergies: ['penicillin', ' '] } }, 'patient.allergies.1', /is blank/);
  });

  it('returns reference facts for each drug, with patient flags', async () => {
    const { output } = await run({ medications: ['Glucophage', 'lisinopril'], patient: { age: 45, egfr: 25, pregnant: true } });
    const [metformin, lisinopril] = medicationsOf(output);
    assert.equal(metformin?.query, 'Glucophage');
    assert.equal(metformin?.found, true);
    assert.equal(metformin?.name, 'metformin');
    assert.deepEqual(metformin?.matched, { by: 'brand', name: 'Glucophage' });
    assert.equal(metformin?.class, 'Biguanide');
    assert.ok((metformin?.brand_names as string[]).includes('Glucophage'));
    assert.deepEqual({ ...(metformin?.dose as JsonObject), text: undefined }, { text: undefined, min: 500, max: 2550, unit: 'mg/day', frequency: '1–3 divided doses with meals' });
    assert.ok((metformin?.contraindications as string[]).length > 0 && (metformin?.monitoring as string[]).length > 0);
    assert.deepEqual((metformin?.renal_adjustment as JsonObject).at_patient_egfr, { egfr: 25, action: 'contraindicated', advice: 'Contraindicated: stop metformin (risk of lactic acidosis).' });
    assert.equal((metformin?.pregnancy as JsonObject).risk, 'caution');
    assert.match(String(metformin?.source), /DailyMed/);
    assert.ok(metformin?.flags?.some((f) => f.type === 'renal' && f.level === 'contraindicated' && /^contraindicated at eGFR 25/.test(f.message)));
    assert.ok(lisinopril?.flags?.some((f) => f.type === 'pregnancy' && f.level === 'contraindicated'));
    assert.equal(output.data_version, '2.1.0');
  });

  it('reports an unknown drug with suggestions and still checks the rest', async () => {
    const { output, scores } = await run({ medications: ['warfarin', 'Advil', 'metoprol', 'duloxetine'] });
    const [, , typo, uncovered] = medicationsOf(output);
    assert.deepEqual(typo, { query: 'metoprol', found: false, suggestions: ['metoprolol'], note: 'Not recognised as a drug name (generic, brand or close spelling) in this reference.' });
    assert.equal(uncovered?.found, false);
    assert.match(String(uncovered?.note), /"duloxetine" is a drug this reference does not cover/);
    assert.equal((output.interactions as JsonObject[]).length, 1);
    assert.equal(scores?.medication_coverage, 0.5);
  });

  it('reports interactions with severity, mechanism, effect, management, source and the rule that matched', async () => {
    const { output } = await run({ medications: ['warfarin', 'Bactrim'] });
    assert.deepEqual(Object.keys((output.interactions as JsonObject[])[0] ?? {}).sort(), ['drugs', 'effect', 'management', 'mechanism', 'rule', 'severity', 'source']);
    const [interaction] = output.interactions as JsonObject[];
    assert.deepEqual(interaction?.drugs, ['warfarin', 'trimethoprim-sulfamethoxazole']);
    assert.equal(interaction?.severity, 'major');
  });

  it('scores the span: interaction_safety by the worst severity, coverage, and patient_safety with patient context', async () => {
    assert.deepEqual((await run({ medications: ['metformin', 'levothyroxine'] })).scores, { interaction_safety: 1, medication_coverage: 1 });
    assert.equal((await run({ medications: ['levothyroxine', 'omeprazole'] })).scores?.interaction_safety, INTERACTION_SAFETY.minor);
    assert.equal((await run({ medications: ['levothyroxine', 'calcium carbonate'] })).scores?.interaction_safety, INTERACTION_SAFETY.moderate);
    assert.equal((await run({ medications: ['warfarin', 'naproxen', 'levothyroxine'] })).scores?.interaction_safety, INTERACTION_SAFETY.major);
    assert.equal((await run({ medications: ['simvastatin', 'clarithromycin'] })).scores?.interaction_safety, 0);
    assert.deepEqual((await run({ medications: ['metformin'], patient: { egfr: 90 } })).scores, { interaction_safety: 1, medication_coverage: 1, patient_safety: 1 });
    assert.equal((await run({ medications: ['metformin'], patient: { egfr: 40 } })).scores?.patient_safety, 0.6);
    assert.equal((await run({ medications: ['metformin'], patient: { egfr: 20 } })).scores?.patient_safety, 0);
    assert.equal((await run({ medications: ['acetaminophen'], patient: { pregnant: true } })).scores?.patient_safety, 1, 'an info flag is not a risk');
    assert.equal((await run({ medications: ['xyzzy', 'metformin', 'plugh'] })).scores?.medication_coverage, 0.333);
  });

  it('logs the data version and what was corrected in the span metadata', async () => {
    const { metadata } = await run({ medications: ['metfromin', 'nosuchdrug'] });
    assert.equal(metadata?.data_version, '2.1.0');
    assert.deepEqual(metadata?.spelling_corrections, ['metfromin → metformin']);
    assert.deepEqual(metadata?.unknown, ['nosuchdrug']);
  });

  it('is served by the worker: ExecuteTool returns the result and scores, and INVALID_ARGUMENT names the field', async () => {
    const handlers = createToolWorkerHandlers(registry, pino({ level: 'silent' }));
    const execute = (args: JsonObject) =>
      new Promise<ExecuteToolResponse>((resolve, reject) => {
        const call = Object.assign(new EventEmitter(), {
          request: { toolName: CHECK_MEDICATIONS_TOOL_NAME, toolCallId: 'toolu_test', arguments: receivedStruct(args) },
          getDeadline: () => Infinity,
        });
        handlers.ExecuteTool(call as never, (error, response) => (error ? reject(error) : resolve(response as ExecuteToolResponse)));
      });
    const ok = await execute({ medications: ['warfarin', 'ciprofloxacin'], patient: { age: 70 } });
    assert.equal(ok.toolName, CHECK_MEDICATIONS_TOOL_NAME);
    assert.equal(ok.scores?.interaction_safety, INTERACTION_SAFETY.major);
    assert.equal(ok.result?.fields?.interactions?.listValue?.values?.length, 1);
    await assert.rejects(execute({ medications: ['warfarin'], patient: { egfr: -5 } }), (error: ServiceError) => {
      assert.equal(error.code, status.INVALID_ARGUMENT);
      assert.deepEqual(decodeErrorDetails(error).fieldViolations?.map((v) => v.field), ['patient.egfr']);
      return true;
    });
  });
});
