/**
 * A person's edit of a draft: only the fields its action type declares editable (`editSchema`),
 * sent alone (a reviewer sends what changed, not the whole payload). Who and what the action is
 * about — patient, appointment, coverage, claim, payer, idempotency key — is never editable: an
 * edit naming one is refused, naming the field. The edit is applied by the action type, which
 * rebuilds what derives from the edited fields (a 278's messages, a PAS bundle …) and has the
 * tools check the edited values; the result must still pass the payload's schema. What changed
 * is kept field by field, before → after.
 */
import { z } from "zod";
import { BadInputError } from "../../tools/errors.js";
import { canonicalJson } from "../governance/canonical-json.js";
import type { ActionTypeDefinition } from "./agent-definition.js";

/** Fields that say who or what an action is about: never editable, whatever the action type. */
export const IDENTITY_FIELDS: ReadonlySet<string> = new Set([
  "patientId", "appointmentId", "coverageId", "claimId", "payerId", "memberId", "idempotencyKey",
]);

/** One changed field of an edit (a dotted path into the payload), before and after. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** What a person may edit in a draft, as a review item shows it. */
export const EditableFields = z.object({
  fields: z.array(z.string()).describe("The payload's fields a person may change (an edit sends only those it changes); empty: accept, respond or ignore"),
  values: z.record(z.string(), z.unknown()).describe("Their current values in the draft"),
  schema: z.record(z.string(), z.unknown()).optional().describe("JSON Schema of an edit's `args`"),
});
export type EditableFields = z.infer<typeof EditableFields>;

type EditableAction = Pick<ActionTypeDefinition<unknown, unknown>, "type" | "payloadSchema" | "editSchema" | "applyEdit">;

/** The fields of an action type a person may change. */
export const editableFields = (def: Pick<EditableAction, "editSchema">): string[] => Object.keys(def.editSchema.shape);

/** Refuses (at registration) an action type that declares an identity field, or a field its payload lacks, editable. */
export function checkEditSchema(agent: string, def: EditableAction): void {
  const payloadFields = def.payloadSchema instanceof z.ZodObject ? new Set(Object.keys(def.payloadSchema.shape)) : null;
  for (const field of editableFields(def)) {
    if (IDENTITY_FIELDS.has(field)) throw new Error(`Agent ${agent} declares ${def.type}.${field} editable: identity fields never are`);
    if (payloadFields !== null && !payloadFields.has(field)) throw new Error(`Agent ${agent} declares ${def.type}.${field} editable, but its payload has no such field`);
  }
}

/** The editable fields of a draft with their current values (and, with `schema`, the edit's JSON Schema). */
export function editableView(def: EditableAction, draft: Record<string, unknown>, withSchema: boolean): EditableFields {
  const fields = editableFields(def);
  const values = Object.fromEntries(fields.map((f) => [f, draft[f] ?? null]));
  return withSchema ? { fields, values, schema: z.toJSONSchema(def.editSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown> } : { fields, values };
}

/** The 400 for an edit whose `field` (a dotted path into the payload) is refused, and why. */
export const editRefused = (field: string, message: string): BadInputError =>
  new BadInputError(`${field}: ${message}`, { details: { field, errors: [{ path: field, message }] } });

/**
 * Applies a person's edit (only the fields to change) to a draft's payload: refuses identity
 * fields and fields that are not editable, checks the edit against the action type's edit schema,
 * lets the action type apply it (rebuilding what derives from it, its tools checking the values),
 * and checks the result against the payload's schema. Every refusal is a BadInputError naming the
 * field. Returns the payload to execute and the changed fields.
 */
export function applyEdit(def: EditableAction, payload: Record<string, unknown>, edit: Record<string, unknown>): { payload: Record<string, unknown>; changes: FieldChange[] } {
  const fields = editableFields(def);
  // Identity fields first: an edit that would move the action to another patient is named as such.
  const keys = Object.keys(edit).sort((a, b) => Number(IDENTITY_FIELDS.has(b)) - Number(IDENTITY_FIELDS.has(a)));
  const errors = keys.flatMap((field) => {
    if (IDENTITY_FIELDS.has(field)) return [{ path: field, message: "is not editable: it says who or what the action is about" }];
    if (fields.includes(field)) return [];
    return [{
      path: field,
      message: fields.length === 0
        ? `is not editable: nothing in a ${def.type} draft is (accept, respond or ignore it)`
        : `is not an editable field of ${def.type} (editable: ${fields.join(", ")})`,
    }];
  });
  const first = errors[0];
  if (first !== undefined) throw new BadInputError(`${first.path}: ${first.message}`, { details: { field: first.path, errors } });
  const parsed = def.editSchema.safeParse(edit);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    throw new BadInputError(`The edit is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, { details: { field: errors[0]?.path, errors } });
  }
  const applied = def.applyEdit === undefined ? { ...payload, ...parsed.data } : def.applyEdit(payload, parsed.data);
  const check = def.payloadSchema.safeParse(applied);
  if (!check.success) {
    const errors = check.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    throw new BadInputError(`The edited payload is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, { details: { field: errors[0]?.path, errors } });
  }
  const edited = check.data as Record<string, unknown>;
  const changes: FieldChange[] = [];
  for (const field of Object.keys(parsed.data)) diff(field, payload[field], edited[field], changes);
  if (changes.length === 0) throw new BadInputError("The edit changes nothing: accept the draft instead", { details: { errors: [] } });
  return { payload: edited, changes };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The leaves that differ between `before` and `after` under `path` (arrays compare whole). */
function diff(path: string, before: unknown, after: unknown, out: FieldChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) diff(`${path}.${key}`, before[key], after[key], out);
    return;
  }
  if (canonicalJson(before ?? null) !== canonicalJson(after ?? null)) out.push({ field: path, before: before ?? null, after: after ?? null });
}
