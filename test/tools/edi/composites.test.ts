/**
 * Composite elements: a qualifier without its code is an issue at its element and component,
 * never an empty-code diagnosis; a file whose composites are not split by ISA16 gets a warning
 * from every reader (837, 835, 278), from one shared helper.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseX12 } from "../../../tools/edi/parse.js";
import type { AuthResponse278 } from "../../../tools/edi/readers/acknowledgments.js";
import type { ReceivedClaim } from "../../../tools/edi/readers/claim-837.js";
import type { AuthRequest278 } from "../../../tools/edi/readers/request-278.js";
import { write278Request } from "../../../tools/edi/writers/authorization.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import { officeClaim } from "./claims.js";

const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 1, groupControl: 1, now: new Date("2026-03-03T14:05:00Z") };
const parties = { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } };
const claim = write837([officeClaim], parties, envelope);
const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/x12");

describe("incomplete composites", () => {
  it.each([["HI*ABK~", 1], ["HI*ABK:~", 1], ["HI*ABK:C3490*ABF~", 2], ["HI*ABK:C3490*ABF:~", 2]])("837 %s: an issue at the element and component, and no empty-code diagnosis", (hi, element) => {
    const text = claim.replace("HI*ABK:C3490*ABF:Z5112~", hi);
    const { issues, transactions } = parseX12(text);
    const [received] = transactions[0]!.data as ReceivedClaim[];
    expect(received!.diagnoses.every((d) => d.code !== "")).toBe(true);
    expect(issues).toContainEqual(expect.objectContaining({ code: "COMPONENT_MISSING", segmentId: "HI", elementPosition: element, componentPosition: 2, byteOffset: text.indexOf("HI*") }));
  });

  it("278 request and response: an HI qualifier without its code is an issue, not an empty diagnosis", () => {
    const request = write278Request({ trace: "T1", payer: { name: "P", id: "SBCOM1" }, requester: { name: "C", npi: "1234567893" }, subscriber: { lastName: "X", firstName: "Y", memberId: "M1", birthDate: null },
      diagnoses: ["C3490", "Z5112"], services: [], messages: [] }, envelope).replace("HI*ABK:C3490*ABF:Z5112~", "HI*ABK:C3490*ABF~");
    const parsed = parseX12(request);
    expect((parsed.transactions[0]!.data as AuthRequest278).diagnoses).toEqual(["C3490"]);
    expect(parsed.issues).toContainEqual(expect.objectContaining({ code: "COMPONENT_MISSING", segmentId: "HI", elementPosition: 2, componentPosition: 2 }));
    const response = readFileSync(path.join(FIXTURES, "hand-certified.278"), "latin1").replace("HI*ABK:C3490~", "HI*ABK:~");
    const read = parseX12(response);
    expect((read.transactions[0]!.data as AuthResponse278).decisions[0]!.diagnoses).toEqual([]);
    expect(read.issues).toContainEqual(expect.objectContaining({ code: "COMPONENT_MISSING", segmentId: "HI", elementPosition: 1, componentPosition: 2 }));
  });
});

describe("component separator other than ISA16", () => {
  it("837: composites written with '>' while ISA16 is ':' get a COMPOSITE_INVALID warning (SV1 and HI)", () => {
    const text = claim.replace("SV1*HC:J9271:JZ*", "SV1*HC>J9271>JZ*").replace("HI*ABK:C3490*ABF:Z5112~", "HI*ABK>C3490*ABF>Z5112~");
    const { issues } = parseX12(text);
    expect(issues).toContainEqual(expect.objectContaining({ code: "COMPOSITE_INVALID", severity: "warning", segmentId: "SV1", elementPosition: 1 }));
    expect(issues).toContainEqual(expect.objectContaining({ code: "COMPOSITE_INVALID", severity: "warning", segmentId: "HI", elementPosition: 1 }));
    expect(issues.find((i) => i.code === "COMPOSITE_INVALID")!.message).toMatch(/ISA16 ":"/);
  });

  it("278 request: an SV1 procedure without ISA16 gets the same warning", () => {
    const request = write278Request({ trace: "T1", payer: { name: "P", id: "SBCOM1" }, requester: { name: "C", npi: "1234567893" }, subscriber: { lastName: "X", firstName: "Y", memberId: "M1", birthDate: null },
      diagnoses: ["C3490"], services: [{ procedure: { qualifier: "HC", code: "J9271", modifiers: [] }, quantity: 200, from: "2026-03-02", to: null, servicingProvider: null }], messages: [] }, envelope);
    const { issues } = parseX12(request.replace("SV1*HC:J9271*", "SV1*HC>J9271*"));
    expect(issues).toContainEqual(expect.objectContaining({ code: "COMPOSITE_INVALID", severity: "warning", segmentId: "SV1", elementPosition: 1 }));
  });

  it("835: still warns (tertiary-payment.835 has SVC*HC*…)", () => {
    const { issues } = parseX12(readFileSync(path.join(FIXTURES, "tertiary-payment.835"), "latin1"));
    expect(issues).toContainEqual(expect.objectContaining({ code: "COMPOSITE_INVALID", severity: "warning", segmentId: "SVC", elementPosition: 1 }));
  });
});
