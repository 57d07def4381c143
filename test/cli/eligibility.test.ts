import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";
import { HEAD, interchange, subscriber, transaction } from "../tools/payer/eligibility/x12-271.js";

const fixture = (f: string) => path.resolve(import.meta.dirname, "../fixtures/x12", f);
type Entry = { controlNumber: string; trace: string | null; subject: string | null; status: string; finding: string; reason: string; planBegin: string | null; planEnd: string | null;
  deductibleRemaining: string | null; outOfPocketRemaining: string | null; coinsurancePercent: string | null; rejections: { loop: string; code: string; meaning: string; followUp: { code: string; meaning: string } | null }[];
  evidence: { segment: string; position: { index: number; offset: number; setPosition: number; setOffset: number } }[] };
const run = async (args: string[], stdin = "") => {
  const res = await runCliCaptured(["eligibility", "interpret", ...args], stdin);
  return { ...res, entries: res.code === 0 ? (JSON.parse(res.stdout) as Entry[]) : [] };
};

describe("infusion-rcm eligibility interpret", () => {
  it("prints one entry per transaction and subject: the public dependent sample is the dependent, active", async () => {
    const { code, entries } = await run([fixture("dependent-health-benefit-check.271"), "--dos", "2006-05-01"]);
    expect(code).toBe(0);
    expect(entries).toHaveLength(1);
    expect(Object.keys(entries[0]!).slice(0, 4)).toEqual(["controlNumber", "trace", "subject", "status"]);
    expect(entries[0]).toMatchObject({ controlNumber: "4321", trace: "93175-012547", subject: "dependent", status: "active", planBegin: "2006-01-01", planEnd: null, rejections: [] });
    expect(entries[0]!.evidence).toEqual(expect.arrayContaining([{ segment: "EB*1**1^33^35^47^86^88^98^AL^MH^UC", position: { index: 26, offset: 721, setPosition: 25, setOffset: 721 - readFileSync(fixture("dependent-health-benefit-check.271"), "latin1").indexOf("ST*271") }, use: "coverage status: active coverage" }]));
  });

  it("amounts, network and service type: the accumulator sample in and out of network", async () => {
    const inNet = await run([fixture("hand-accumulators.271"), "--dos", "2026-03-02"]);
    expect(inNet.entries[0]).toMatchObject({ subject: "subscriber", status: "active", deductibleRemaining: "400.00", outOfPocketRemaining: "3875.25", coinsurancePercent: "20.00", planBegin: "2026-01-01" });
    // Out of network: the only coinsurance row says in-network (EB12 Y), so none applies.
    expect((await run([fixture("hand-accumulators.271"), "--dos", "2026-03-02", "--network", "out"])).entries[0]!.coinsurancePercent).toBeNull();
    // Asked for pharmacy (88): the 30 rows still apply, the 78 coinsurance does not.
    expect((await run([fixture("hand-accumulators.271"), "--dos", "2026-03-02", "--service-type", "88"])).entries[0]).toMatchObject({ deductibleRemaining: "400.00", coinsurancePercent: null });
    // Another date than the one the answer covers (DTP*291 2026-03-02): not verified.
    expect((await run([fixture("hand-accumulators.271"), "--dos", "2026-03-09"])).entries[0]).toMatchObject({ status: "undetermined", finding: "not-verified-for-date" });
  });

  it("rejections in plain words, with the loop and the follow-up; several transactions give several entries", async () => {
    const error = await run([fixture("subscriber-health-benefit-check-error.271"), "--dos", "2006-05-01"]);
    expect(error.code).toBe(0);
    expect(error.stderr).toContain("SE_CONTROL_MISMATCH");
    expect(error.entries).toEqual([expect.objectContaining({ subject: null, status: "rejected", rejections: [{ loop: "2100B", level: "provider", code: "50", meaning: "the payer does not take eligibility inquiries from this provider", nextStep: expect.any(String) as string, followUp: { code: "N", meaning: "do not send it again: verify by phone or the payer's portal" } }] })]);
    const two = await run([fixture("hand-rejected.271"), "--dos", "2026-03-02"]);
    expect(two.entries.map((e) => [e.controlNumber, e.subject, e.status])).toEqual([["0002", "subscriber", "rejected"], ["0003", "subscriber", "undetermined"]]);
    expect(two.entries[0]!.rejections[0]).toMatchObject({ loop: "2100C", code: "75", meaning: "the payer found no member with the details sent" });
  });

  it("reads standard input with -", async () => {
    const text = interchange(transaction([...HEAD, ...subscriber(["EB*2*IND*30"])]));
    expect((await run(["-", "--dos", "2026-03-06"], text)).entries[0]).toMatchObject({ status: "active", trace: "T1" });
  });

  it("exits 2 when the input is not a 271, and on bad usage", async () => {
    const remit = await run([fixture("managed-care.835"), "--dos", "2026-03-02"]);
    expect(remit.code).toBe(2);
    expect(remit.stderr).toContain("not a 271: the input holds 835");
    const junk = await run(["-", "--dos", "2026-03-02"], "not an interchange at all");
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain("not a 271: not X12");
    expect((await run([fixture("hand-accumulators.271")])).code).toBe(2);
    expect((await run([fixture("hand-accumulators.271"), "--dos", "2026-02-30"])).stderr).toContain('"2026-02-30" is not a YYYY-MM-DD date');
    expect((await run([fixture("hand-accumulators.271"), "--dos", "2026-03-02", "--network", "maybe"])).code).toBe(2);
    expect((await run(["/nonexistent.271", "--dos", "2026-03-02"])).code).toBe(2);
    expect((await runCliCaptured(["eligibility", "explain"])).code).toBe(2);
  });

  it("the command and the agent share one reading: the same file gives the same status and reason", async () => {
    const text = readFileSync(fixture("hand-accumulators.271"), "latin1");
    const { interpretEligibility } = await import("../../tools/payer/benefits.js");
    const { parseX12 } = await import("../../tools/edi/parse.js");
    const { infusionServiceTypes } = await import("../../tools/payer/eligibility/accumulators.js");
    const tx = parseX12(text).transactions[0]!;
    const agent = interpretEligibility(tx.data as never, tx.controlNumber, { dateOfService: "2026-03-02", network: "in", serviceTypes: infusionServiceTypes(), drugs: [],
      inquiry: { trace: "ELIG-0001", memberId: "W123456789", lastName: "TESTPERSON", firstName: "ALEX", birthDate: "1961-04-02", dependent: null } });
    const [cli] = (await run(["-", "--dos", "2026-03-02"], text)).entries;
    expect([cli!.status, cli!.reason, cli!.deductibleRemaining]).toEqual([agent.status, agent.reason, agent.deductibleRemaining]);
  });
});
