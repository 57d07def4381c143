import { describe, expect, it } from "vitest";
import { PayerRules } from "../../../../tools/payer/payer-rules.js";
import { loadPayerConfig, PayerConfig } from "../../../../tools/payer/sandbox/payer-config.js";

describe("the clinic's network status per payer (payer configuration)", () => {
  it("is read per payer, in-network by default and for a payer the clinic does not know", () => {
    const shipped = loadPayerConfig();
    expect(shipped.payers.every((p) => p.network === "in")).toBe(true);
    const config = PayerConfig.parse({ payers: [
      { ...shipped.payers[0], id: "IN-BY-DEFAULT", network: undefined },
      { ...shipped.payers[0], id: "OUT", network: "out" },
    ] });
    const rules = new PayerRules(config);
    expect([rules.networkStatus("IN-BY-DEFAULT"), rules.networkStatus("OUT"), rules.networkStatus("NOBODY"), rules.networkStatus(null)]).toEqual(["in", "out", "in", "in"]);
    expect(PayerConfig.safeParse({ payers: [{ ...shipped.payers[0], network: "partly" }] }).success).toBe(false);
  });
});
