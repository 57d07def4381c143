import type * as R4 from "fhir/r4.js";
import { describe, expect, it } from "vitest";
import type { CapturedCharge } from "../../../tools/claim/visit-record.js";
import { EXTENSION, SYSTEM } from "../../../tools/ehr/fhir-conventions.js";
import { InvalidFhirError, toCapturedCharge, toVisitEncounter } from "../../../tools/ehr/fhir-mapping.js";
import { chargeItemResource } from "../../../tools/sandbox/visits/to-fhir.js";

const visit = { visitId: "enc-1", patient: { id: "p1" } } as Parameters<typeof chargeItemResource>[1];
const drug: CapturedCharge = {
  id: "enc-1-ch01", code: "J9271", modifiers: ["JW", "JG"], units: 12, charge: "1234.50", revenueCode: "0636",
  ndc: "0006302602", ndcQuantity: 0.12, ndcUnit: "UN", diagnosisCodes: ["C34.90", "C34.11"], administrationIds: ["ma-1"], serviceDate: "2026-02-10",
};
const admin: CapturedCharge = {
  id: "enc-1-ch02", code: "96375", modifiers: [], units: 1, charge: "64.00", revenueCode: null,
  ndc: null, ndcQuantity: null, ndcUnit: null, diagnosisCodes: [], administrationIds: [], serviceDate: "2026-02-10",
};

describe("ChargeItem ↔ captured charge (fhir-conventions mapping)", () => {
  it("round-trips a drug line: modifiers in order, revenue code, NDC as typed (10 digits stays 10), CTP quantity, dx pointers, MAR link, money", () => {
    const r = chargeItemResource(drug, visit) as unknown as R4.ChargeItem;
    expect(r.code.coding?.[0]).toEqual({ system: SYSTEM.HCPCS, code: "J9271" });
    expect(r.priceOverride).toEqual({ value: 1234.5, currency: "USD" });
    expect(r.extension?.filter((e) => e.url === EXTENSION.CHARGE_MODIFIER).map((e) => e.valueCoding?.code)).toEqual(["JW", "JG"]);
    expect(toCapturedCharge(r)).toEqual(drug);
  });

  it("round-trips an administration line with no NDC, no revenue code, no MAR entry and no diagnosis (CPT system)", () => {
    const r = chargeItemResource(admin, visit) as unknown as R4.ChargeItem;
    expect(r.code.coding?.[0]?.system).toBe(SYSTEM.CPT);
    expect(r.service).toBeUndefined();
    expect(toCapturedCharge(r)).toEqual(admin);
  });

  it("names the field of a ChargeItem that is not a captured charge", () => {
    const r = chargeItemResource(drug, visit) as unknown as R4.ChargeItem;
    for (const broken of [
      { ...r, quantity: undefined },
      { ...r, priceOverride: undefined },
      { ...r, code: { coding: [{ system: SYSTEM.HCPCS, code: "J9271X" }] } },
      { ...r, occurrenceDateTime: undefined },
      { ...r, extension: [...(r.extension ?? []), { url: EXTENSION.CHARGE_MODIFIER, valueCoding: { code: "JWX" } }] },
    ]) {
      expect(() => toCapturedCharge(broken as R4.ChargeItem)).toThrow(InvalidFhirError);
    }
    const error = (() => {
      try {
        toCapturedCharge({ ...r, quantity: undefined });
        return null;
      } catch (e) {
        return e as InvalidFhirError;
      }
    })();
    expect(error).toBeInstanceOf(InvalidFhirError);
    expect(error?.code).toBe("INVALID_FHIR");
    expect(JSON.stringify(error?.details)).toContain("units");
  });

  it("reads an encounter's diagnoses by rank and refuses one whose Condition is unknown", () => {
    const e: R4.Encounter = {
      resourceType: "Encounter", id: "enc-1", status: "finished", class: { code: "AMB" }, subject: { reference: "Patient/p1" },
      appointment: [{ reference: "Appointment/a1" }], period: { start: "2026-02-10T14:00:00Z", end: "2026-02-10T16:00:00Z" },
      serviceType: { coding: [{ system: SYSTEM.SITE_OF_CARE, code: "hospital-outpatient" }] },
      diagnosis: [{ condition: { reference: "Condition/c2" }, rank: 2 }, { condition: { reference: "Condition/c1" }, rank: 1 }],
    };
    const conditions = new Map([
      ["c1", { id: "c1", patientId: "p1", icd10: "C34.90", display: "lung", clinicalStatus: "active" }],
      ["c2", { id: "c2", patientId: "p1", icd10: "I10", display: null, clinicalStatus: "active" }],
    ]);
    expect(toVisitEncounter(e, conditions)).toEqual({
      id: "enc-1", patientId: "p1", appointmentId: "a1", status: "finished", start: "2026-02-10T14:00:00Z", end: "2026-02-10T16:00:00Z",
      dateOfService: "2026-02-10", siteOfCare: "hospital-outpatient",
      diagnoses: [{ conditionId: "c1", icd10: "C34.90", display: "lung" }, { conditionId: "c2", icd10: "I10", display: null }],
    });
    expect(() => toVisitEncounter(e, new Map([["c1", conditions.get("c1")!]]))).toThrow(InvalidFhirError);
  });
});
