/**
 * extract-justification: when a drug lacks a valid authorization, the model reads the latest
 * progress note for the clinical justification (the offline provider: deterministic rules over
 * the note). One call per run; recorded with its prompt id and version hash.
 */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { loadPrompt, renderPrompt } from "../../../src/llm/prompts.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { ClinicalJustification, extractJustificationOffline } from "../note-extraction.js";
import type { PriorAuthStateValue } from "../state.js";
import { PRIOR_AUTH_AGENT, stepContext } from "../work-item.js";

export function extractJustification(services: PlatformServices, deps: PreServiceDeps) {
  const template = loadPrompt(PRIOR_AUTH_AGENT, "clinical-justification");
  return async (state: PriorAuthStateValue) => {
    const chart = state.chart;
    const needing = state.drugs.filter((d) => d.authRequired && d.authValid !== true);
    if (chart == null || needing.length === 0) return {};
    const ctx = stepContext(state, "extract-justification");
    // Note text is PHI: the audit entry names the notes, the text stays in the EHR and the checkpoint.
    const texts = new Map<string, string>();
    const notes = await services.audit.toolCall(ctx, "ehr.clinical-notes", { patientId: chart.patient.id }, async (i) =>
      (await deps.ehr.clinicalNotes(i.patientId)).map((n) => {
        texts.set(n.id, n.text);
        return { id: n.id, date: n.date, title: n.title, chars: n.text.length };
      }));
    const latest = [...notes].sort((a, b) => (b.date ?? "").localeCompare(a.date ?? ""))[0];
    const note = latest === undefined ? undefined : { id: latest.id, text: texts.get(latest.id) ?? "" };
    const promptRef = `${template.id}@${template.version}`;
    if (note === undefined || note.text.trim() === "") {
      return { justification: null, justificationSource: { noteId: null, provider: deps.model.provider, ok: false, promptRef } };
    }
    const diagnoses = chart.diagnoses.map((d) => `${d.icd10}${d.display === null ? "" : ` ${d.display}`}`).join("; ") || "(none on the problem list)";
    const prompt = renderPrompt(template, {
      drugs: needing.map((d) => `${d.drug} (${d.hcpcs})`).join(", "), diagnoses, note: note.text,
    });
    const result = await deps.model.structured({
      schema: ClinicalJustification, schemaName: "clinical_justification", prompt,
      offline: () => extractJustificationOffline(note.text, chart.diagnoses[0]?.display ?? null),
    });
    await services.audit.modelCall(ctx, result.call);
    return {
      justification: result.ok ? result.value : null,
      justificationSource: { noteId: note.id, provider: deps.model.provider, ok: result.ok, promptRef },
    };
  };
}
