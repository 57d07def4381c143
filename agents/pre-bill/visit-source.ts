/**
 * The visit record of one encounter, read where each part lives: the encounter, MAR and captured
 * charges from the EHR (`getVisit`); the patient, the primary coverage and the orders from the
 * EHR; the authorizations from the clinic's ledger (the prior-auth agent's, with the units other
 * visits drew from them); the payer's billing rules in force on the date of service (payer rule
 * overlays); the billing provider from the clinic's settings. What the EHR sent is validated when
 * it is read (zod in the FHIR client) and again as a whole visit record by load-visit.
 */
import type pg from "pg";
import type { PayerBillingRule, VisitRecordInput, AuthorizationOnFile } from "../../tools/claim/visit-record.js";
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import { BadInputError, NotFoundError } from "../../tools/errors.js";
import { authorizationsFor, usageFor, type LedgerAuthorization } from "../../tools/payer/authorization-ledger.js";
import { primaryCoverage } from "../shared/chart.js";
import type { VisitRecord } from "../../tools/claim/visit-record.js";
import type { VisitSource } from "./deps.js";

/** Where a visit record's parts come from. */
export interface VisitSourceDeps {
  ehr: EhrClient;
  pool: Pick<pg.Pool, "query">;
  /** The clinic as billing provider (837 loop 2010AA). */
  billingProvider: VisitRecord["billingProvider"];
  /** The payer's billing rules in force on a date (payer rule overlays). */
  payerRules(payerId: string, dateOfService: string): Promise<PayerBillingRule[]>;
}

const LEDGER_STATUS: Record<LedgerAuthorization["status"], AuthorizationOnFile["status"]> = { approved: "approved", pended: "pending", denied: "denied", cancelled: "expired" };

/** The visit source over the EHR, the ledger and the overlays. */
export function ehrVisitSource(deps: VisitSourceDeps): VisitSource {
  return {
    async loadVisit(encounterId: string): Promise<VisitRecordInput> {
      const visit = await deps.ehr.getVisit(encounterId);
      if (visit === null) throw new NotFoundError(`No encounter ${encounterId} in the EHR`);
      const { encounter } = visit;
      // The claim form follows the site of care (837I for a hospital outpatient department, 837P for an office): never guessed.
      if (encounter.siteOfCare === null) throw new BadInputError(`Encounter ${encounterId} does not say where it took place (site of care): the claim form cannot be chosen`);
      const [patients, coverages, orders] = await Promise.all([
        deps.ehr.patients([encounter.patientId]), deps.ehr.coverages(encounter.patientId), deps.ehr.activeMedicationOrders(encounter.patientId),
      ]);
      const patient = patients[0];
      if (patient === undefined) throw new NotFoundError(`Encounter ${encounterId}: no patient ${encounter.patientId} in the EHR`);
      const coverage = primaryCoverage(coverages);
      if (coverage === null || coverage.payerId === null) throw new NotFoundError(`Encounter ${encounterId}: the patient has no primary coverage with a payer on file`);
      const codes = [...new Set(visit.administrations.map((a) => a.hcpcs).filter((c): c is string => c !== null))];
      const authorizations: AuthorizationOnFile[] = [];
      for (const hcpcs of codes) {
        for (const a of await authorizationsFor(deps.pool, { patientId: patient.id, hcpcs, payerId: coverage.payerId })) {
          // Units other visits drew (this visit's own draw, made before it, is not "used before" it).
          const drawn = (await usageFor(deps.pool, a.payerId, a.authNumber)).filter((u) => u.appointmentId !== encounter.appointmentId).reduce((n, u) => n + u.units, 0);
          authorizations.push({
            number: a.authNumber, codes: [a.hcpcs], from: a.start, to: a.end, unitsAuthorized: a.unitsApproved, unitsUsed: a.unitsUsedPrior + drawn,
            diagnosisCodes: a.diagnosisCodes, status: LEDGER_STATUS[a.status],
          });
        }
      }
      const referenced = new Set(visit.administrations.map((a) => a.orderId));
      const record: VisitRecordInput = {
        visitId: encounter.id, dateOfService: encounter.dateOfService, siteOfCare: encounter.siteOfCare,
        billingProvider: deps.billingProvider, patient, coverage,
        diagnoses: encounter.diagnoses.map((d) => ({ icd10: d.icd10, display: d.display })),
        orders: orders.filter((o) => referenced.has(o.id)),
        administrations: visit.administrations, charges: visit.charges, authorizations,
        payerRules: await deps.payerRules(coverage.payerId, encounter.dateOfService),
      };
      return record;
    },
  };
}
