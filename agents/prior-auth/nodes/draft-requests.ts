/**
 * draft-requests: scores every drug's approval likelihood, and for each drug that needs a new
 * authorization (missing, expired, units exhausted, reauthorization) drafts the 278 request and
 * the equivalent PAS bundle, carrying the justification read from the note — only when the
 * verifier supported all of it. Otherwise the request carries the tools' facts (the order's
 * diagnoses, drug, units and dates) and points to the attached note, for a person to complete:
 * unverified model text never reaches a payer.
 */
import { createHash } from "node:crypto";
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import type { AuthRequest278 } from "../../../tools/edi/readers/request-278.js";
import { buildPasRequestBundle } from "../../../tools/payer/pas-bundle.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { insuredParties } from "../../shared/chart.js";
import { approvalLikelihood } from "../likelihood.js";
import { factsJustification, justificationToSend } from "../justification-to-send.js";
import { documentationCompleteness, JUSTIFICATION_FIELDS, type ClinicalJustification } from "../note-extraction.js";
import type { DraftedRequest, PriorAuthStateValue } from "../state.js";
import { actionKey } from "../work-item.js";

/** MSG01 holds at most 264 characters and no delimiter (X12 has no escape). */
export function x12Messages(text: string): string[] {
  const clean = text.replace(/[*~^]/g, " ").replace(/:/g, " -").replace(/\s+/g, " ").trim();
  const out: string[] = [];
  for (const word of clean.split(" ")) {
    const last = out.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= 264) out[out.length - 1] = `${last} ${word}`;
    else out.push(word.slice(0, 264));
  }
  return out.filter((m) => m !== "").slice(0, 10);
}

/** A stable trace (TRN02) per visit and drug: re-sending it follows the same request at the payer. */
export const traceFor = (appointmentId: string, hcpcs: string) =>
  `PA${createHash("sha256").update(actionKey(appointmentId, hcpcs, "submit")).digest("hex").slice(0, 14).toUpperCase()}`;

export function draftRequests(services: PlatformServices, deps: PreServiceDeps) {
  return async (state: PriorAuthStateValue) => {
    const chart = state.chart;
    if (chart == null) return {};
    const verified = state.justification != null && state.verification?.verified === true;
    // Documentation counts only what was verified; a note nothing could be verified from counts as empty.
    const kept = justificationToSend(state, "");
    const noteOnFile = state.justificationSource?.noteId != null;
    const documentation = kept !== null ? documentationCompleteness(kept) : noteOnFile ? { completeness: 0, missing: [...JUSTIFICATION_FIELDS] } : null;
    const drugs = state.drugs.map((d) => ({ ...d, likelihood: approvalLikelihood(d, documentation) }));
    const { patient, coverage, appointment } = chart;
    const parties = insuredParties(chart);
    if (coverage === null || coverage.payerId === null || parties === null) return { drugs, requests: [] };
    const created = services.now().toISOString();
    const requests: DraftedRequest[] = [];
    for (const d of drugs) {
      if (d.needsRequest === null) continue;
      const justification = verified ? (state.justification as ClinicalJustification).summary : factsJustification(chart, d, noteOnFile);
      const trace = traceFor(appointment.appointmentId, d.hcpcs);
      const diagnoses = d.diagnosisCodes.map((c) => c.replace(".", "").toUpperCase());
      const request: AuthRequest278 = {
        trace,
        payer: { name: coverage.payerName, id: coverage.payerId },
        requester: { name: deps.clinic.name, npi: deps.clinic.npi },
        // The patient as the subscriber, or as the subscriber's dependent (X217 2010C/2010D), as the 270 asked.
        subscriber: { ...parties.subscriber, memberId: parties.memberId },
        ...(parties.dependent === null ? {} : { dependent: parties.dependent }),
        diagnoses,
        services: [{
          procedure: { qualifier: "HC", code: d.hcpcs, modifiers: [] }, quantity: d.needsRequest.units,
          from: d.needsRequest.from, to: d.needsRequest.to, servicingProvider: { name: deps.clinic.name, npi: deps.clinic.npi },
        }],
        messages: x12Messages(justification),
      };
      const pasBundle = buildPasRequestBundle({
        trace, created,
        patient: { id: patient.id, memberId: parties.memberId, firstName: patient.firstName, lastName: patient.lastName, birthDate: patient.birthDate, gender: patient.gender },
        coverage: { id: coverage.id, payerId: coverage.payerId, payerName: coverage.payerName },
        ...(parties.dependent === null ? {} : { subscriber: { ...parties.subscriber, relationship: coverage.relationship } }),
        requester: deps.clinic,
        order: { id: d.orderId, drugName: d.drug, hcpcs: d.hcpcs },
        units: d.needsRequest.units, period: { start: d.needsRequest.from, end: d.needsRequest.to },
        diagnoses: d.diagnosisCodes, justification, certificationType: d.needsRequest.kind === "initial" ? "I" : "R",
      });
      requests.push({ hcpcs: d.hcpcs, request, pasBundle, kind: d.needsRequest.kind, units: d.needsRequest.units, requestedAt: created, justification });
    }
    return { drugs, requests };
  };
}
