/**
 * extract-justification: when a drug lacks a valid authorization, the model reads the latest
 * progress note for the clinical justification (the offline provider: deterministic rules over
 * the note), and the verifier checks what it read against the note and the chart — model drafts,
 * tools verify, here, because the note's text is at hand and is kept out of the run's state.
 *
 * The note is data: it goes to the model between markers, with the prompt saying that text in it
 * is never an instruction. A batch's model calls run concurrently up to the client's bound
 * (`LLM_CONCURRENCY`), each within its own deadline, and share a breaker, so a hanging model
 * costs the batch about one call's budget. Each call is recorded with its prompt id and version
 * hash; the verification as a tool call.
 */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { CallBatch } from "../../../src/llm/call-limit.js";
import { loadPrompt, renderPrompt } from "../../../src/llm/prompts.js";
import { unverifiable } from "../../../tools/verification/verify-extraction.js";
import { forEachVisit, type BatchState } from "../../shared/appointment-work-item.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { ClinicalJustification, extractJustificationOffline } from "../note-extraction.js";
import type { PriorAuthStateValue, PriorAuthVisit } from "../state.js";
import { orderDiagnoses, verifyJustification } from "../verify-justification.js";
import { PRIOR_AUTH_AGENT, stepContext } from "../work-item.js";

/** The markers the prompt puts around the note; a note cannot close them early. */
const NOTE_MARKERS = /<<<\s*NOTE|NOTE\s*>>>/gi;

/** The note as the prompt's data block: its text with any copy of the block's markers defused. */
export const noteAsData = (text: string): string => text.replace(NOTE_MARKERS, "[marker removed]");

export function extractJustification(services: PlatformServices, deps: PreServiceDeps) {
  const template = loadPrompt(PRIOR_AUTH_AGENT, "clinical-justification");
  const promptRef = `${template.id}@${template.version}`;

  return async (state: BatchState<PriorAuthVisit>) => {
    // The batch's calls share a breaker: once the model answered no attempt of one, the rest fail at once.
    const batch = new CallBatch();
    return forEachVisit<PriorAuthVisit>(PRIOR_AUTH_AGENT, "extract-justification", services, (visit) => extractForVisit(visit, batch),
      { concurrency: deps.model.concurrency })(state);
  };

  async function extractForVisit(state: PriorAuthStateValue, batch: CallBatch): Promise<Partial<PriorAuthVisit>> {
    const chart = state.chart;
    const needing = state.drugs.filter((d) => d.authRequired && d.authValid !== true);
    if (chart == null || needing.length === 0) return {};
    const ctx = stepContext(state, "extract-justification");
    // Note text is PHI: the audit entry names the notes, the text stays in the EHR.
    const texts = new Map<string, string>();
    const notes = await services.audit.toolCall(ctx, "ehr.clinical-notes", { patientId: chart.patient.id }, async (i) =>
      (await deps.ehr.clinicalNotes(i.patientId)).map((n) => {
        texts.set(n.id, n.text);
        return { id: n.id, date: n.date, title: n.title, chars: n.text.length };
      }));
    const latest = [...notes].sort((a, b) => (b.date ?? "").localeCompare(a.date ?? ""))[0];
    const note = latest === undefined ? undefined : { id: latest.id, text: texts.get(latest.id) ?? "" };
    if (note === undefined || note.text.trim() === "") {
      return { justification: null, verification: null, justificationSource: { noteId: null, provider: deps.model.provider, ok: false, promptRef } };
    }
    const diagnoses = orderDiagnoses(chart, needing);
    const prompt = renderPrompt(template, {
      drugs: needing.map((d) => `${d.drug} (${d.hcpcs})`).join(", "),
      diagnoses: diagnoses.map((d) => `${d.icd10}${d.display === null ? "" : ` ${d.display}`}`).join("; ") || "(none on the order or the problem list)",
      note: noteAsData(note.text),
    });
    const result = await deps.model.structured({
      schema: ClinicalJustification, schemaName: "clinical_justification", prompt, batch,
      offline: () => extractJustificationOffline(note.text, diagnoses),
    });
    await services.audit.modelCall(ctx, result.call);
    const justificationSource = { noteId: note.id, provider: deps.model.provider, ok: result.ok, promptRef };
    if (!result.ok) {
      return { justification: null, verification: unverifiable("justification", `the model call failed (${result.error.kind}): nothing was read from the note`), justificationSource };
    }
    const verification = await verifyJustification(services, ctx, { noteId: note.id, note: note.text, justification: result.value, chart, needing, tables: deps.tables });
    return { justification: result.value, verification, justificationSource };
  }
}
