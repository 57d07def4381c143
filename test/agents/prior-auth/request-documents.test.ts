import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { x12Messages } from "../../../agents/prior-auth/nodes/draft-requests.js";
import { documentationCompleteness, extractJustificationOffline } from "../../../agents/prior-auth/note-extraction.js";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { AuthRequest278 } from "../../../tools/edi/readers/request-278.js";
import { write278Request } from "../../../tools/edi/writers/authorization.js";
import { buildPasRequestBundle, withPasJustification, type FhirJson } from "../../../tools/payer/pas-bundle.js";

const generatedNote = [
  "Synthetic sandbox note. 67-year-old patient with Malignant neoplasm of upper lobe, right bronchus or lung, stage IVA.",
  "PD-L1 tumor proportion score 60%. EGFR and ALK negative.",
  "ECOG performance status 1. Prior therapy: platinum doublet.",
  "Plan: carboplatin + pemetrexed + pembrolizumab per NCCN guidelines; labs adequate for treatment.",
  "Insurance plan on file: Commercial PPO.",
].join("\n");

describe("clinical justification, offline extraction", () => {
  const lung = [{ icd10: "C34.11", display: "Malignant neoplasm of upper lobe, right bronchus or lung" }];

  it("reads diagnosis (with the order's code), stage, biomarkers, ECOG, prior therapy and plan, each with its span of the note", () => {
    const j = extractJustificationOffline(generatedNote, lung);
    expect(j).toMatchObject({
      diagnosis: { value: "Malignant neoplasm of upper lobe, right bronchus or lung", icd10: ["C34.11"], quote: "patient with Malignant neoplasm of upper lobe, right bronchus or lung, stage" },
      stage: { value: "IVA", quote: "stage IVA" },
      biomarkers: [{ value: "PD-L1 tumor proportion score 60%.", quote: "PD-L1 tumor proportion score 60%." }, { value: "EGFR and ALK negative." }],
      ecog: { value: 1, quote: "ECOG performance status 1" }, priorTherapy: { value: "platinum doublet", quote: "Prior therapy: platinum doublet" },
      plan: { value: "carboplatin + pemetrexed + pembrolizumab per NCCN guidelines; labs adequate for treatment" },
    });
    for (const f of [j.diagnosis, j.stage, j.ecog, j.priorTherapy, j.plan, ...j.biomarkers]) expect(generatedNote).toContain(f!.quote);
    expect(j.summary).toContain("stage IVA");
    expect(documentationCompleteness(j)).toEqual({ completeness: 1, missing: [] });
  });

  it("a terse note: what it has, and what is missing; no diagnosis in the note, none read (the chart's is not the note's)", () => {
    const j = extractJustificationOffline("PD-L1 TPS 60%. Stage IV NSCLC. Plan pembrolizumab q3w.", [{ icd10: "C34.90", display: null }]);
    expect(j).toMatchObject({ diagnosis: { value: "NSCLC", icd10: ["C34.90"] }, stage: { value: "IV" }, ecog: null, priorTherapy: null, plan: { value: "pembrolizumab q3w" } });
    expect(documentationCompleteness(j)).toEqual({ completeness: 0.67, missing: ["ecog", "priorTherapy"] });
    expect(extractJustificationOffline("Seen today.", lung).diagnosis).toBeNull();
  });

  it("a diagnosis of another site gets no code from the order", () => {
    expect(extractJustificationOffline("Patient with adenocarcinoma of the colon, stage IV.", lung).diagnosis).toMatchObject({ icd10: [] });
  });

  it("X12 messages carry no delimiter and at most 264 characters each", () => {
    const msgs = x12Messages(`Diagnosis: C34.90*stage IV~ ${"word ".repeat(80)}`);
    expect(msgs.length).toBe(2);
    for (const m of msgs) {
      expect(m.length).toBeLessThanOrEqual(264);
      expect(m).not.toMatch(/[*~^:]/);
    }
    const req: AuthRequest278 = {
      trace: "PA1", payer: { name: "P", id: "SBCOM1" }, requester: { name: "C", npi: "1999999984" },
      subscriber: { lastName: "A", firstName: "B", memberId: "W1", birthDate: null }, diagnoses: ["C3490"],
      services: [{ procedure: { qualifier: "HC", code: "J9271", modifiers: [] }, quantity: 1600, from: "2026-03-06", to: "2027-03-05", servicingProvider: null }], messages: msgs,
    };
    const parsed = parseX12(write278Request(req, { senderId: "1999999984", receiverId: "SBCOM1", interchangeControl: 1, groupControl: 1, now: new Date("2026-03-01T10:00:00Z") }));
    expect(parsed.issues).toEqual([]);
    expect((parsed.transactions[0]!.data as AuthRequest278).messages).toEqual(msgs);
  });
});

describe("PAS request bundle", () => {
  const sample = JSON.parse(readFileSync(new URL("../../fixtures/fhir/conformant_pas_bundle_v110.json", import.meta.url), "utf8")) as FhirJson;
  const resources = (b: FhirJson) => (b.entry as { fullUrl: string; resource: FhirJson }[]).map((e) => e.resource);
  const byType = (b: FhirJson, type: string) => resources(b).filter((r) => r.resourceType === type);
  const bundle = buildPasRequestBundle({
    trace: "PA0123456789ABCD", created: "2026-03-01T10:00:00.000Z",
    patient: { id: "p1", memberId: "WCOM000001", firstName: "Test", lastName: "Patient", birthDate: "1958-04-02", gender: "female" },
    coverage: { id: "p1-cov", payerId: "SBCOM1", payerName: "Sandbox Commercial Health" }, requester: { name: "SANDBOX INFUSION CENTER", npi: "1999999984" },
    order: { id: "p1-mr1", drugName: "pembrolizumab", hcpcs: "J9271" }, units: 1600, period: { start: "2026-03-06", end: "2027-03-05" },
    diagnoses: ["C34.90"], justification: "Diagnosis: NSCLC, stage IV. PD-L1 TPS 60%.", certificationType: "I",
  });

  it("has the sample's shape: a collection with the request bundle profile, and the Claim, Organizations, Coverage and Patient", () => {
    for (const key of Object.keys(sample).filter((k) => k !== "id")) expect(bundle, key).toHaveProperty(key);
    expect(bundle).toMatchObject({ type: sample.type, meta: sample.meta });
    for (const type of ["Claim", "Organization", "Coverage", "Patient"]) expect(byType(bundle, type).length, type).toBe(byType(sample, type).length);
    const [claim, sampleClaim] = [byType(bundle, "Claim")[0]!, byType(sample, "Claim")[0]!];
    for (const key of ["meta", "identifier", "status", "type", "use", "patient", "created", "insurer", "provider", "priority", "diagnosis", "insurance", "item"]) {
      expect(claim, key).toHaveProperty(key);
      expect(sampleClaim, key).toHaveProperty(key);
    }
    const sampleItem = (sampleClaim.item as FhirJson[])[0]!;
    const item = (claim.item as FhirJson[])[0]!;
    for (const key of ["extension", "sequence", "diagnosisSequence", "productOrService"]) expect(item, key).toHaveProperty(key);
    const urls = (i: FhirJson) => (i.extension as { url: string }[]).map((e) => e.url);
    for (const url of urls(sampleItem).filter((u) => /itemTraceNumber|certificationType|requestedService/.test(u))) expect(urls(item)).toContain(url);
    for (const org of byType(bundle, "Organization")) expect((org.meta as { profile: string[] }).profile[0]).toMatch(/profile-(insurer|requestor)$/);
  });

  it("carries the request: preauthorization of the HCPCS, units, period, diagnosis and justification; every reference resolves", () => {
    const claim = byType(bundle, "Claim")[0]!;
    expect(claim).toMatchObject({
      use: "preauthorization",
      diagnosis: [{ sequence: 1, diagnosisCodeableConcept: { coding: [{ code: "C34.90" }] } }],
      supportingInfo: [{ valueString: "Diagnosis: NSCLC, stage IV. PD-L1 TPS 60%." }],
      item: [{ productOrService: { coding: [{ code: "J9271" }] }, quantity: { value: 1600 }, servicedPeriod: { start: "2026-03-06", end: "2027-03-05" } }],
    });
    const ids = new Set(resources(bundle).map((r) => `${String(r.resourceType)}/${String(r.id)}`));
    const refs = JSON.stringify(bundle).match(/"reference":"([^"]+)"/g)!.map((m) => m.slice(13, -1));
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(ids, ref).toContain(ref);
  });

  it("an edited justification rebuilds the Claim's free-form message, and nothing else", () => {
    const edited = withPasJustification(bundle, "Stage IV NSCLC, PD-L1 TPS 80%.");
    expect(byType(edited, "Claim")[0]).toMatchObject({ supportingInfo: [{ sequence: 1, category: { coding: [{ code: "freeFormMessage" }] }, valueString: "Stage IV NSCLC, PD-L1 TPS 80%." }] });
    const claimless = (b: FhirJson) => ({ ...b, entry: (b.entry as { resource: FhirJson }[]).map((e) => (e.resource.resourceType === "Claim" ? { ...e, resource: { ...e.resource, supportingInfo: [] } } : e)) });
    expect(claimless(edited)).toEqual(claimless(bundle));
    expect(byType(bundle, "Claim")[0]).toMatchObject({ supportingInfo: [{ valueString: "Diagnosis: NSCLC, stage IV. PD-L1 TPS 60%." }] });
    expect(() => withPasJustification({ resourceType: "Bundle", entry: [] }, "x")).toThrow(/no preauthorization Claim/);
  });
});
