/**
 * The EHR client over FHIR R4: searches with paging (Bundle `next` links), maps resources to
 * the clinic's records, writes verification results and staff tasks back.
 */
import type * as R4 from "fhir/r4.js";
import { BadInputError, UpstreamError } from "../errors.js";
import type { EhrClient } from "./ehr-client.js";
import type { StaffTask, VerificationWriteBack } from "./ehr-types.js";
import {
  InvalidFhirError, toAdministration, toCapturedCharge, toClinicalNote, toCoverage, toDiagnosis, toMedicationOrder, toPatient, toScheduledInfusion, toVisitEncounter,
} from "./fhir-mapping.js";
import type { CapturedVisitSummary, VisitFromEhr } from "./visit-types.js";
import type { FhirTransport } from "./fhir-transport.js";

/** Most pages one search follows, so a server that links in a loop cannot hang a run. */
const MAX_PAGES = 1_000;
/** A FHIR id (R4 §2.24.0.1 id: 1–64 of A-Z a-z 0-9 - .). */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Most ids one search ORs together (`_id=a,b,…`), so URLs stay well within servers' limits. */
const IDS_PER_SEARCH = 100;

export class FhirEhrClient implements EhrClient {
  /** Searches under way, by query: the same search asked again before it answers shares its answer. */
  private readonly inFlight = new Map<string, Promise<R4.Resource[]>>();

  constructor(
    private readonly transport: FhirTransport,
    private readonly pageSize = 200,
  ) {}

  async appointments(range: { from: string; to: string }): Promise<ScheduledInfusionList> {
    const rows = await this.search<R4.Appointment>("Appointment", { date: [`ge${range.from}`, `le${range.to}T23:59:59Z`], "service-type": "infusion" });
    return rows.map(toScheduledInfusion).sort((a, b) => a.start.localeCompare(b.start) || a.appointmentId.localeCompare(b.appointmentId));
  }

  async appointment(id: string) {
    const res = await this.transport.request("GET", `Appointment/${encodeURIComponent(id)}`);
    if (res.status === 404) return null;
    if (res.status !== 200) throw new UpstreamError(`FHIR read Appointment/${id} answered HTTP ${res.status}`);
    return toScheduledInfusion(res.body as R4.Appointment);
  }

  async appointmentsById(ids: string[]) {
    return (await this.searchByIds<R4.Appointment>("Appointment", "_id", ids)).map(toScheduledInfusion);
  }

  async patients(ids: string[]) {
    return (await this.searchByIds<R4.Patient>("Patient", "_id", ids)).map(toPatient);
  }

  async activeMedicationOrders(patientId: string) {
    return this.activeMedicationOrdersFor([patientId]);
  }

  async activeMedicationOrdersFor(patientIds: string[]) {
    return (await this.searchByIds<R4.MedicationRequest>("MedicationRequest", "patient", patientIds, { status: "active" })).map(toMedicationOrder);
  }

  async medicationAdministrations(encounterId: string) {
    return (await this.search<R4.MedicationAdministration>("MedicationAdministration", { context: encounterId })).map(toAdministration);
  }

  async coverages(patientId: string) {
    return this.coveragesFor([patientId]);
  }

  async coveragesFor(patientIds: string[]) {
    return (await this.searchByIds<R4.Coverage>("Coverage", "beneficiary", patientIds)).map(toCoverage);
  }

  async conditions(patientId: string) {
    return this.conditionsFor([patientId]);
  }

  async conditionsFor(patientIds: string[]) {
    return (await this.searchByIds<R4.Condition>("Condition", "patient", patientIds)).map(toDiagnosis);
  }

  async clinicalNotes(patientId: string) {
    return (await this.search<R4.DocumentReference>("DocumentReference", { patient: patientId })).map(toClinicalNote);
  }

  async getVisit(encounterId: string): Promise<VisitFromEhr | null> {
    if (!FHIR_ID.test(encounterId)) throw new BadInputError("encounterId must be a FHIR id (1–64 of A-Z a-z 0-9 - .)", { details: { field: "encounterId" } });
    const res = await this.transport.request("GET", `Encounter/${encodeURIComponent(encounterId)}`);
    if (res.status === 404) return null;
    if (res.status !== 200) throw new UpstreamError(`FHIR read Encounter/${encounterId} answered HTTP ${res.status}`);
    const encounter = res.body as R4.Encounter;
    if (encounter?.resourceType !== "Encounter") throw new InvalidFhirError(`FHIR read Encounter/${encounterId} did not return an Encounter`, { resourceType: "Encounter", id: encounterId });
    const conditionIds = (encounter.diagnosis ?? []).map((d) => d.condition?.reference?.replace(/^Condition\//, "")).filter((x): x is string => x !== undefined && FHIR_ID.test(x));
    const [administrations, items, conditions] = await Promise.all([
      this.medicationAdministrations(encounterId),
      this.search<R4.ChargeItem>("ChargeItem", { context: encounterId }),
      this.searchByIds<R4.Condition>("Condition", "_id", conditionIds),
    ]);
    const byId = new Map(conditions.map((c) => [String(c.id), toDiagnosis(c)]));
    return {
      encounter: toVisitEncounter(encounter, byId),
      administrations: administrations.sort((a, b) => (a.start ?? "").localeCompare(b.start ?? "") || a.id.localeCompare(b.id)),
      charges: items.map(toCapturedCharge).sort((a, b) => a.id.localeCompare(b.id)),
    };
  }

  async findCapturedVisits(range: { from: string; to: string }): Promise<CapturedVisitSummary[]> {
    if (!ISO_DATE.test(range.from) || !ISO_DATE.test(range.to) || range.from > range.to) {
      throw new BadInputError("from and to must be ISO dates (YYYY-MM-DD), from not after to", { details: { field: "range" } });
    }
    const encounters = (await this.search<R4.Encounter>("Encounter", { date: [`ge${range.from}`, `le${range.to}T23:59:59Z`], status: "finished" }))
      .map((e) => toVisitEncounter({ ...e, diagnosis: [] }, new Map()));
    const counts = new Map<string, number>();
    for (const c of await this.searchByIds<R4.ChargeItem>("ChargeItem", "context", encounters.map((e) => e.id))) {
      const id = c.context?.reference?.replace(/^Encounter\//, "");
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return encounters.filter((e) => (counts.get(e.id) ?? 0) > 0)
      .map((e) => ({ encounterId: e.id, patientId: e.patientId, appointmentId: e.appointmentId, dateOfService: e.dateOfService, siteOfCare: e.siteOfCare, chargeCount: counts.get(e.id) as number }))
      .sort((a, b) => a.dateOfService.localeCompare(b.dateOfService) || a.encounterId.localeCompare(b.encounterId));
  }

  async writeVerification(result: VerificationWriteBack): Promise<string> {
    const resource: R4.CoverageEligibilityResponse = {
      resourceType: "CoverageEligibilityResponse",
      status: "active",
      purpose: ["benefits", "validation"],
      patient: { reference: `Patient/${result.patientId}` },
      servicedDate: result.dateOfService,
      created: new Date().toISOString(),
      request: { reference: `Appointment/${result.appointmentId}` },
      requestor: { display: result.requestorRef },
      outcome: result.outcome,
      disposition: result.disposition,
      insurer: { display: "see Coverage" },
      insurance: [{
        coverage: { reference: `Coverage/${result.coverageId}` },
        ...(result.inforce === null ? {} : { inforce: result.inforce }),
        item: result.benefits.map((b) => ({ category: { text: b.category }, description: b.description })),
      }],
    };
    return this.create(resource);
  }

  async createTask(task: StaffTask): Promise<string> {
    const resource: R4.Task = {
      resourceType: "Task",
      status: "requested",
      intent: "order",
      code: { text: task.code },
      description: task.description,
      for: { reference: `Patient/${task.patientId}` },
      focus: { reference: task.focusRef },
      authoredOn: new Date().toISOString(),
      ...(task.dueBy === null ? {} : { restriction: { period: { end: task.dueBy } } }),
    };
    return this.create(resource);
  }

  private async create(resource: R4.Resource): Promise<string> {
    const res = await this.transport.request("POST", resource.resourceType, resource);
    if (res.status !== 201 && res.status !== 200) throw new UpstreamError(`FHIR create ${resource.resourceType} answered HTTP ${res.status}`);
    const id = (res.body as { id?: unknown } | null)?.id;
    if (typeof id !== "string") throw new InvalidFhirError(`FHIR create ${resource.resourceType} returned no id`, { resourceType: resource.resourceType });
    return id;
  }

  /**
   * Searches for resources whose `param` is any of `ids` (FHIR's comma OR), at most
   * IDS_PER_SEARCH ids per search; no ids, no request.
   */
  private async searchByIds<T extends R4.Resource>(type: T["resourceType"], param: string, ids: string[], params: Record<string, string> = {}): Promise<T[]> {
    const unique = [...new Set(ids)];
    const out: T[] = [];
    for (let i = 0; i < unique.length; i += IDS_PER_SEARCH) {
      out.push(...(await this.search<T>(type, { [param]: unique.slice(i, i + IDS_PER_SEARCH).join(","), ...params })));
    }
    return out;
  }

  /**
   * Runs a search and follows `next` links, returning every matching resource of the type. Two
   * agents checking the same batch ask the same searches at the same moment: a search already
   * under way is not sent again, its answer (read-only resources) goes to both. Nothing is kept
   * once it has answered, so no answer is ever older than the question.
   */
  private search<T extends R4.Resource>(type: T["resourceType"], params: Record<string, string | string[]>): Promise<T[]> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const value of Array.isArray(v) ? v : [v]) query.append(k, value);
    query.set("_count", String(this.pageSize));
    const path = `${type}?${query.toString()}`;
    let pending = this.inFlight.get(path);
    if (pending === undefined) {
      pending = this.searchPages<T>(type, path).finally(() => this.inFlight.delete(path));
      this.inFlight.set(path, pending);
    }
    return pending as Promise<T[]>;
  }

  private async searchPages<T extends R4.Resource>(type: T["resourceType"], first: string): Promise<T[]> {
    let path: string | undefined = first;
    const out: T[] = [];
    for (let page = 0; path !== undefined; page += 1) {
      if (page >= MAX_PAGES) throw new UpstreamError(`FHIR search ${type} exceeded ${MAX_PAGES} pages`);
      const res = await this.transport.request("GET", path);
      if (res.status !== 200) throw new UpstreamError(`FHIR search ${type} answered HTTP ${res.status}`);
      const bundle = res.body as R4.Bundle | null;
      if (bundle?.resourceType !== "Bundle") throw new InvalidFhirError(`FHIR search ${type} did not return a Bundle`, { resourceType: type });
      for (const [i, entry] of (bundle.entry ?? []).entries()) {
        if (entry.search?.mode === "include" || entry.search?.mode === "outcome") continue;
        if (entry.resource?.resourceType !== type) {
          throw new InvalidFhirError(`FHIR search ${type}: entry ${i} is ${entry.resource?.resourceType ?? "empty"}`, { resourceType: type, entry: i });
        }
        out.push(entry.resource as T);
      }
      path = bundle.link?.find((l) => l.relation === "next")?.url;
    }
    return out;
  }
}

type ScheduledInfusionList = ReturnType<typeof toScheduledInfusion>[];
