import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SubmissionLog, testAgent } from "./test-agent.js";
import type { ActionTypeDefinition } from "../../src/orchestration/agent-definition.js";
import { applyEdit } from "../../src/orchestration/edits.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";

describe("editable fields", () => {
  const withEditSchema = (editSchema: z.ZodObject) => {
    const base = testAgent();
    const [first, ...rest] = base.actionTypes as unknown as ActionTypeDefinition<unknown, unknown>[];
    return { ...base, actionTypes: [{ ...first!, editSchema }, ...rest] as never };
  };

  it("an action type that declares an identity field, or a field its payload lacks, editable is refused at registration", () => {
    expect(() => new AgentRegistry().register(withEditSchema(z.strictObject({ note: z.string(), patientId: z.string() }).partial()), { log: new SubmissionLog() }))
      .toThrow("Agent test-escalator declares file-note.patientId editable: identity fields never are");
    expect(() => new AgentRegistry().register(withEditSchema(z.strictObject({ memo: z.string() }).partial()), { log: new SubmissionLog() }))
      .toThrow("file-note.memo editable, but its payload has no such field");
  });

  it("keeps each changed leaf before → after, by its path; a value the edit repeats is not a change", () => {
    const def = {
      type: "letter", payloadSchema: z.object({ patientId: z.string(), letter: z.object({ to: z.string(), body: z.string(), cc: z.array(z.string()) }) }),
      editSchema: z.strictObject({ letter: z.strictObject({ to: z.string(), body: z.string(), cc: z.array(z.string()) }).partial() }).partial(),
      applyEdit: (p: { letter: Record<string, unknown> }, e: Record<string, unknown>) => ({ ...p, letter: { ...p.letter, ...(e.letter as object) } }),
    } as unknown as Parameters<typeof applyEdit>[0];
    const payload = { patientId: "p1", letter: { to: "Payer", body: "Dear payer", cc: ["a"] } };
    const { payload: edited, changes } = applyEdit(def, payload, { letter: { to: "Payer", body: "Dear reviewer", cc: ["a", "b"] } });
    expect(edited).toEqual({ patientId: "p1", letter: { to: "Payer", body: "Dear reviewer", cc: ["a", "b"] } });
    expect(changes).toEqual([
      { field: "letter.body", before: "Dear payer", after: "Dear reviewer" },
      { field: "letter.cc", before: ["a"], after: ["a", "b"] },
    ]);
    expect(payload.letter.body).toBe("Dear payer");
  });
});
