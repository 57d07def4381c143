/**
 * The sandbox payer's 999 implementation acknowledgments (005010X231A1): for the 837s it
 * receives (rejected where the envelope, grammar or content had errors) and for transaction sets
 * it does not take at all — a 278 response, an 835, a 999, a set it has no business with — which
 * are rejected rather than misread.
 */
import type { X12Issue } from "../../edi/issues.js";
import type { ParsedTransaction } from "../../edi/parse.js";
import type { Ack999 } from "../../edi/readers/acknowledgments.js";

type Set999 = Ack999["transactions"][number];

/** IK5/AK9 status over the sets of a group: A all accepted, R none, P some. */
function groupStatus(sets: readonly Set999[]): string {
  const accepted = sets.filter((t) => t.accepted).length;
  return accepted === sets.length ? "A" : accepted === 0 ? "R" : "P";
}

function ack(group: readonly ParsedTransaction[], sets: Set999[]): Ack999 {
  const first = group[0];
  const accepted = sets.filter((t) => t.accepted).length;
  return {
    functionalId: first?.functionalId || "HC", groupControl: first?.groupControl || "1", version: first?.implementationRef || null,
    groupStatus: groupStatus(sets), transactions: sets, counts: { included: sets.length, received: sets.length, accepted },
  };
}

/**
 * A 999 for the 837 transaction sets of one group: each set with an error (envelope, grammar,
 * balance) is rejected (IK5 R, code 5 "one or more segments in error") with its first ten
 * segment errors (IK3 code 8 "segment has data element errors" with the element, IK4 7).
 */
export function acknowledgeClaims(group: readonly ParsedTransaction[], issues: readonly X12Issue[]): Ack999 {
  return ack(group, group.map((t): Set999 => {
    const errors = issues.filter((i) => i.transactionControlNumber === t.controlNumber && i.severity === "error");
    return {
      type: t.type, controlNumber: t.controlNumber, status: errors.length === 0 ? "A" : "R", accepted: errors.length === 0,
      codes: errors.length === 0 ? [] : ["5"],
      errors: errors.slice(0, 10).map((e) => ({
        // IK302 counts from ST (1); issues count from the start of the file.
        segmentId: e.segmentId || "ST", segmentPosition: e.segmentIndex === null ? null : e.segmentIndex - t.segmentIndex + 1, loop: null, code: "8",
        elements: e.elementPosition === undefined ? [] : [{ position: e.componentPosition === undefined ? String(e.elementPosition) : `${e.elementPosition}:${e.componentPosition}`, code: "7", badValue: null }],
      })),
    };
  }));
}

/**
 * A 999 for a group holding sets the payer does not take: those are rejected — IK5 R with code 1
 * ("transaction set not supported"), or for a 278 that is a response (BHT02 11) code 5 with the
 * BHT02 value named (IK4 7, invalid code value) — and the others of the group accepted.
 */
export function refuseUnsupported(group: readonly ParsedTransaction[], takes: (t: ParsedTransaction) => boolean): Ack999 {
  return ack(group, group.map((t): Set999 => {
    if (takes(t)) return { type: t.type, controlNumber: t.controlNumber, status: "A", accepted: true, codes: [], errors: [] };
    if (t.type === "278") {
      return { type: t.type, controlNumber: t.controlNumber, status: "R", accepted: false, codes: ["5"],
        errors: [{ segmentId: "BHT", segmentPosition: 2, loop: null, code: "8", elements: [{ position: "2", code: "7", badValue: null }] }] };
    }
    return { type: t.type, controlNumber: t.controlNumber, status: "R", accepted: false, codes: ["1"], errors: [] };
  }));
}
