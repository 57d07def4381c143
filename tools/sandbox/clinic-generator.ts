/**
 * The synthetic oncology clinic: deterministic for a seed. Patients with oncology diagnoses,
 * height/weight/BSA, coverage across payer types (some patients covered as a spouse on the
 * subscriber's policy), regimens with real cycle lengths, an infusion
 * schedule, orders with doses from weight/BSA/AUC, administration records with times and waste,
 * notes, the payer's members and authorizations — and planted real-world defects, with the truth
 * about each appointment kept for tests and evaluations.
 */
import { addDays } from "../iso-dates.js";
import type { PayerConfig, Plan } from "../payer/sandbox/payer-config.js";
import type { DrugFacts, DrugFactsLookup } from "./drug-facts.js";
import { bsaMosteller, creatinineClearance, orderedDose, vialsFor } from "./dosing.js";
import * as fhir from "./fhir-builders.js";
import { FIRST_NAMES, LAST_NAMES } from "./names.js";
import { Random } from "./prng.js";
import type { RegimenCatalogue } from "./regimens.js";
import type { CoverageHolder } from "./fhir-builders.js";
import { DefectRates, type AppointmentTruth, type Defect, type PayerAuthorization, type PayerDependent, type PayerMember, type SandboxClinic } from "./world.js";

/** Generator settings. */
export interface ClinicOptions {
  patients: number;
  weeks: number;
  seed: number;
  /** "Today" in the sandbox (YYYY-MM-DD): visits before it have happened and have a MAR. */
  asOf: string;
  /** Weeks of history before `asOf`. */
  historyWeeks?: number;
  defects?: Partial<DefectRates>;
  /** Share of commercial patients covered as a spouse on the subscriber's policy (default 0.25). */
  dependentShare?: number;
  onProgress?: (done: number, total: number) => void;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");
const money = (n: number): string => n.toFixed(2);

/** Generates a clinic. */
export function generateClinic(options: ClinicOptions, payers: PayerConfig, regimens: RegimenCatalogue, drugs: DrugFactsLookup): SandboxClinic {
  const rng = new Random(options.seed);
  const rates = DefectRates.parse(options.defects ?? {});
  const history = options.historyWeeks ?? 2;
  const from = addDays(options.asOf, -7 * history);
  const to = addDays(options.asOf, 7 * options.weeks - 1);
  const resources: Record<string, unknown>[] = [];
  const members: PayerMember[] = [];
  const dependents: PayerDependent[] = [];
  // Who holds each patient's policy comes from a stream of its own: adding it left every other
  // draw of a seed's clinic as it was.
  const family = new Random((options.seed ^ 0x5eed5eed) >>> 0);
  const dependentShare = options.dependentShare ?? 0.25;
  const authorizations: PayerAuthorization[] = [];
  const truth: AppointmentTruth[] = [];
  const digits = String(options.patients).length;

  for (let i = 1; i <= options.patients; i += 1) {
    const pid = `sbx-p${String(i).padStart(digits, "0")}`;
    const cancer = rng.weighted(regimens.cancers.map((c) => ({ value: c, weight: c.weight })));
    const female = cancer.sex === undefined ? rng.chance(0.5) : cancer.sex === "female";
    const age = rng.int(42, 86);
    const birthDate = `${Number(options.asOf.slice(0, 4)) - age}-${String(rng.int(1, 12)).padStart(2, "0")}-${String(rng.int(1, 28)).padStart(2, "0")}`;
    const heightCm = Math.round(rng.normal(female ? 163 : 177, 7));
    const weightKg = Math.round(Math.min(Math.max(rng.normal(female ? 70 : 83, 14), 42), 150) * 10) / 10;
    const bsaM2 = bsaMosteller(heightCm, weightKg);
    const crcl = creatinineClearance(age, weightKg, Math.min(Math.max(rng.normal(0.95, 0.15), 0.6), 1.6), female);
    const first = rng.pick(female ? FIRST_NAMES.female : FIRST_NAMES.male);
    const last = rng.pick(LAST_NAMES);
    resources.push(fhir.patientResource({ id: pid, first, last, birthDate, gender: female ? "female" : "male", weightKg, bsaM2, heightCm }));
    cancer.diagnoses.forEach((d, k) => resources.push(fhir.conditionResource(`${pid}-dx${k + 1}`, pid, d.icd10, d.display)));
    const primaryDx = cancer.diagnoses.at(-1)?.icd10 ?? "";

    // Coverage: Medicare ages mostly Medicare or Medicare Advantage; younger patients commercial or Medicaid.
    const payerType = age >= 65 ? rng.weighted([{ value: "medicare", weight: 65 }, { value: "medicare-advantage", weight: 35 }])
      : rng.weighted([{ value: "commercial", weight: 78 }, { value: "medicaid", weight: 22 }]);
    const payer = rng.pick(payers.payers.filter((p) => p.type === payerType).length > 0 ? payers.payers.filter((p) => p.type === payerType) : payers.payers);
    const plan = rng.pick(payer.plans);
    const memberId = memberIdFor(rng, payer.type);
    const terminated = rng.chance(rates.coverageTerminated);
    const coverageEnd = terminated ? addDays(options.asOf, rng.int(0, Math.max(7 * options.weeks - 2, 0))) : null;
    const holder = policyHolder(family, dependentShare, payer.type, { female, last, birthDate });
    resources.push(fhir.coverageResource({
      id: `${pid}-cov`, patientId: pid, payerId: payer.id, payerName: payer.name, payerType: payer.type, memberId,
      planId: plan.id, planName: plan.name, start: `${options.asOf.slice(0, 4)}-01-01`, end: null, active: true, ...(holder === null ? {} : { holder }),
    }));
    const deductible = Number(plan.deductible);
    const deductibleMet = rng.chance(0.3) ? deductible : Math.round(rng.next() * deductible * 100) / 100;
    const coverageStart = `${options.asOf.slice(0, 4)}-01-01`;
    const patientAccumulators = {
      coverageStart, coverageEnd, deductibleMet: money(deductibleMet), oopMet: money(Math.min(deductibleMet + Math.round(rng.next() * 800), Number(plan.oopMax))),
    };
    const familyDeductibleMet = plan.familyDeductible === undefined ? null : money(Math.min(deductibleMet * 1.5, Number(plan.familyDeductible)));
    if (holder === null) {
      members.push({ payerId: payer.id, planId: plan.id, memberId, firstName: first, lastName: last, birthDate, gender: female ? "F" : "M", ...patientAccumulators, familyDeductibleMet });
    } else {
      // The subscriber holds the member id (a terminated policy ends for both); the patient is the policy's dependent with their own accumulators.
      members.push({
        payerId: payer.id, planId: plan.id, memberId, firstName: holder.first, lastName: holder.last, birthDate: holder.birthDate, gender: holder.gender === "female" ? "F" : "M",
        coverageStart, coverageEnd, deductibleMet: money(Math.min(holder.deductibleShare * deductible, deductible)), oopMet: money(Math.min(holder.deductibleShare * deductible, Number(plan.oopMax))), familyDeductibleMet,
      });
      dependents.push({ payerId: payer.id, memberId, sequence: 1, relationship: "01", firstName: first, lastName: last, birthDate, gender: female ? "F" : "M", ...patientAccumulators });
    }

    // Regimen and orders.
    const regimenId = rng.pick(cancer.regimens);
    const regimen = regimens.regimens[regimenId] ?? (() => { throw new Error(`unknown regimen ${regimenId}`); })();
    const site = rng.chance(0.7) ? "physician-office" : "hospital-outpatient";
    const orders = regimen.drugs.map((d, k) => {
      const facts = drugs(d.drug);
      const doseMg = orderedDose(d.dose, { weightKg, bsaM2, crcl });
      const route = plan.benefitRouting[facts.hcpcs] ?? plan.defaultRoute;
      const supply: "buy-and-bill" | "white-bag" = route === "pharmacy" && !rng.chance(rates.pharmacyBenefitBuyAndBill) ? "white-bag" : "buy-and-bill";
      const id = `${pid}-mr${k + 1}`;
      resources.push(fhir.medicationRequestResource({ id, patientId: pid, drug: facts, doseMg, cycleDays: regimen.cycleDays, supply, icd10: cancer.diagnoses[0]?.icd10 ?? primaryDx, authoredOn: `${from}T08:00:00Z` }));
      return { id, facts, doseMg, minutes: d.minutes, route, supply, units: Math.ceil(doseMg / facts.billingUnit.amount - 1e-9) };
    });

    // Schedule.
    const firstDay = addDays(from, rng.int(0, regimen.cycleDays - 1));
    const dates: string[] = [];
    for (let d = firstDay; d <= to; d = addDays(d, regimen.cycleDays)) dates.push(d);

    // Authorizations on file at the payer.
    const authFor = new Map<string, PayerAuthorization | null>();
    for (const o of orders) {
      const rule = plan.authRules[o.facts.hcpcs];
      if (rule?.required !== true || o.supply === "white-bag") continue;
      const roll = rng.next();
      if (roll < rates.noAuthOnFile) {
        authFor.set(o.facts.hcpcs, null);
        continue;
      }
      const start = addDays(dates[0] ?? from, -rng.int(7, 30));
      const expired = roll < rates.noAuthOnFile + rates.expiredAuth;
      // An expired authorization ends within days of "today", never before it started.
      const lapse = expired ? addDays(options.asOf, rng.int(0, 6)) : null;
      const end = lapse === null ? addDays(start, rule.validityDays - 1) : lapse < start ? start : lapse;
      const doses = Math.ceil(rule.validityDays / regimen.cycleDays);
      const approved = Math.min(rule.unitCapPerAuth, o.units * doses);
      const used = o.units * dates.filter((d) => d < options.asOf && d >= start && d <= end).length;
      const auth: PayerAuthorization = {
        authNumber: `SBA${String(options.seed % 1000).padStart(3, "0")}${String(authorizations.length + 1).padStart(6, "0")}`,
        payerId: payer.id, memberId, patientId: pid, hcpcs: o.facts.hcpcs, unitsApproved: approved, unitsUsed: Math.min(used, approved),
        start, end, diagnosisCodes: [cancer.diagnoses[0]?.icd10 ?? primaryDx], status: "approved",
      };
      authorizations.push(auth);
      authFor.set(o.facts.hcpcs, auth);
    }

    // Visits: appointment, and for past ones the encounter and the MAR.
    dates.forEach((date, n) => {
      const aid = `${pid}-a${String(n + 1).padStart(2, "0")}`;
      const startMs = Date.parse(`${date}T00:00:00Z`) + (rng.int(8, 14) * 60 + rng.pick([0, 15, 30, 45])) * 60_000;
      const totalMinutes = orders.reduce((s, o) => s + o.minutes + 10, 20);
      const past = date < options.asOf;
      resources.push(fhir.appointmentResource({ id: aid, patientId: pid, start: iso(startMs), end: iso(startMs + totalMinutes * 60_000), orderIds: orders.map((o) => o.id), site, status: past ? "fulfilled" : "booked" }));
      const defects = new Set<Defect>();
      if (coverageEnd !== null && date > coverageEnd) defects.add("coverage-terminated");
      const drugTruth = orders.map((o) => {
        const auth = authFor.get(o.facts.hcpcs);
        const authRequired = authFor.has(o.facts.hcpcs);
        let authValid: boolean | null = null;
        if (authRequired) {
          authValid = auth !== null && auth !== undefined && date >= auth.start && date <= auth.end;
          if (auth === null) defects.add("no-auth-on-file");
          else if (!authValid) defects.add("expired-auth");
        }
        if (o.route === "pharmacy" && o.supply === "buy-and-bill") defects.add("pharmacy-benefit-buy-and-bill");
        return { drug: o.facts.name, hcpcs: o.facts.hcpcs, orderId: o.id, route: o.route, supply: o.supply, authRequired, authValid, authEnd: auth?.end ?? null, cycleDays: regimen.cycleDays, billingUnits: o.units };
      });
      if (past) {
        const eid = `${aid}-enc`;
        let t = startMs + 15 * 60_000;
        orders.forEach((o, k) => {
          if (o.supply === "white-bag" && o.route === "pharmacy") { /* still administered; supplied by the pharmacy */ }
          const minutes = o.minutes === 0 ? 2 : Math.max(o.minutes + rng.int(-5, 12), 1);
          const iv = o.facts.route === "iv-infusion" || o.facts.route === "iv-push";
          const missingStop = iv && rng.chance(rates.missingStopTime);
          const vials = vialsFor(o.doseMg, o.facts.packages.map((p) => ({ ndc11: p.ndc11, contentMg: p.billingUnitsPerPackage * o.facts.billingUnit.amount })));
          const hasWaste = o.facts.singleDose && vials.wasteMg > 0;
          const missingWaste = hasWaste && rng.chance(rates.missingWasteRecord);
          const wrongNdc = rng.chance(rates.wrongNdc);
          if (missingStop) defects.add("missing-stop-time");
          if (missingWaste) defects.add("missing-waste-record");
          if (wrongNdc) defects.add("wrong-ndc");
          resources.push(fhir.administrationResource({
            id: `${aid}-ma${k + 1}`, patientId: pid, encounterId: eid, orderId: o.id, drug: o.facts,
            ndc11: wrongNdc ? otherNdc(rng, drugs, o.facts) : vials.ndc11, doseMg: o.doseMg, start: iso(t), stop: missingStop ? null : iso(t + minutes * 60_000),
            site: "A", wasteMg: !o.facts.singleDose || missingWaste ? null : vials.wasteMg, containers: vials.count, pump: false,
          }));
          t += (minutes + 10) * 60_000;
        });
        resources.push(fhir.encounterResource(eid, pid, aid, iso(startMs), iso(t)));
      }
      truth.push({
        appointmentId: aid, patientId: pid, dateOfService: date, payerId: payer.id, planId: plan.id, payerType: payer.type, relationship: holder?.relationship ?? "self",
        coverageActive: coverageEnd === null || date <= coverageEnd, drugs: drugTruth, defects: [...defects].sort(),
      });
    });

    resources.push(fhir.noteResource(`${pid}-note1`, pid, `${from}T12:00:00Z`, "Oncology progress note", progressNote(rng, cancer.id, cancer.diagnoses.map((d) => d.display), regimenId, age, plan)));
    options.onProgress?.(i, options.patients);
  }
  return {
    seed: options.seed, asOf: options.asOf, range: { from, to },
    bundle: { resourceType: "Bundle", type: "transaction", entry: resources.map((r) => ({ resource: r, request: { method: "PUT", url: `${String(r.resourceType)}/${String(r.id)}` } })) },
    members, dependents, authorizations, truth: truth.sort((a, b) => a.dateOfService.localeCompare(b.dateOfService) || a.appointmentId.localeCompare(b.appointmentId)),
  };
}

/**
 * The subscriber of a patient covered as a spouse on someone else's commercial policy (share
 * `share` of commercial patients), or null when the patient holds the policy. Always draws the same
 * number of values, whatever it decides.
 */
function policyHolder(family: Random, share: number, payerType: string, patient: { female: boolean; last: string; birthDate: string }): (CoverageHolder & { deductibleShare: number }) | null {
  const roll = family.next();
  const first = family.pick(patient.female ? FIRST_NAMES.male : FIRST_NAMES.female);
  const gap = family.int(-6, 6);
  const deductibleShare = family.next();
  if (payerType !== "commercial" || roll >= share) return null;
  const birthDate = `${Number(patient.birthDate.slice(0, 4)) + gap}${patient.birthDate.slice(4)}`;
  return { relationship: "spouse", first, last: patient.last, birthDate, gender: patient.female ? "male" : "female", deductibleShare };
}

function memberIdFor(rng: Random, payerType: string): string {
  const alnum = "ACDEFGHJKMNPQRTUVWXY0123456789";
  const chars = (n: number) => Array.from({ length: n }, () => rng.pick([...alnum])).join("");
  // Medicare MBIs are 11 characters; others use a payer prefix.
  return payerType === "medicare" ? `${rng.int(1, 9)}${chars(10)}` : `W${rng.int(100000000, 999999999)}`;
}

const OTHER_DRUGS = ["pembrolizumab", "bevacizumab", "rituximab", "trastuzumab", "nivolumab"];
function otherNdc(rng: Random, drugs: DrugFactsLookup, facts: DrugFacts): string {
  const other = drugs(rng.pick(OTHER_DRUGS.filter((d) => d !== facts.name)));
  return rng.pick(other.packages).ndc11;
}

const BIOMARKERS: Record<string, string> = {
  lung: "PD-L1 tumor proportion score 60%. EGFR and ALK negative.",
  breast: "HER2 positive (IHC 3+). ER/PR negative.",
  colon: "KRAS wild type. MSI stable.",
  lymphoma: "CD20 positive on immunohistochemistry.",
  prostate: "Castration-resistant; bone metastases on imaging.",
};

function progressNote(rng: Random, cancer: string, diagnoses: string[], regimen: string, age: number, plan: Plan): string {
  const stage = rng.pick(["IIIB", "IV", "IVA", "IVB"]);
  const ecog = rng.int(0, 2);
  return [
    `Synthetic sandbox note. ${age}-year-old patient with ${diagnoses.join("; ")}, stage ${stage}.`,
    BIOMARKERS[cancer] ?? "",
    `ECOG performance status ${ecog}. Prior therapy: ${rng.pick(["none (first line)", "platinum doublet", "surgery and adjuvant chemotherapy"])}.`,
    `Plan: ${regimen.replaceAll("-", " + ")} per NCCN guidelines; labs adequate for treatment.`,
    `Insurance plan on file: ${plan.name}.`,
  ].filter((s) => s !== "").join("\n");
}
