/**
 * What the pre-service agents (eligibility, prior-auth) are built from: the EHR and the
 * clearinghouse, the coding tables, the model, the clinic's identity on X12, the payer rules,
 * and the clock. All injected; nothing here reads the environment or constructs a client.
 */
import type { CodingTables } from "../../tools/coding/coding-tables.js";
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import type { Clearinghouse } from "../../tools/payer/clearinghouse.js";
import type { PayerRules } from "../../tools/payer/payer-rules.js";
import type { ModelClient } from "../../src/llm/types.js";

/** The clinic as it names itself to payers (NM1*1P / requester). */
export interface ClinicIdentity {
  name: string;
  npi: string;
}

/** Dependencies of the eligibility and prior-auth agents. */
export interface PreServiceDeps {
  ehr: EhrClient;
  clearinghouse: Clearinghouse;
  tables: CodingTables;
  model: ModelClient;
  clinic: ClinicIdentity;
  /** The payers' plans and rules the clinic knows (routing, auth rules, volatility, contracts). */
  payerRules: PayerRules;
}
