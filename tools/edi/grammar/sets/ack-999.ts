/**
 * 999 Implementation Acknowledgment grammar (005010X231A1): AK1 and AK9 required; per
 * transaction set response (2000, AK2) the IK5 is required; segment errors (2100, IK3) and
 * element errors (2110, IK4) inside it.
 */
import type { SetSpec } from "../spec.js";

export const ACK_999: SetSpec = {
  name: "999", guide: "005010X231A1", header: ["AK1", "AK9"], summary: ["AK9"],
  segments: ["ST", "AK1", "AK2", "IK3", "CTX", "IK4", "IK5", "AK9", "SE"],
  elements: {
    AK1: ["1", "2", "3"],
    AK2: ["1", "2"],
    IK3: ["1", "2", "4"],
    IK4: ["1:1", "3"],
    IK5: ["1"],
    AK9: ["1", "2", "3", "4"],
    CTX: ["1"],
  },
  loops: [
    { id: "2000", name: "Transaction Set Response Header", start: "AK2", parents: ["root"], segments: ["IK5"], tail: ["IK5"] },
    { id: "2100", name: "Error Identification", start: "IK3", parents: ["2000"] },
    { id: "2110", name: "Implementation Data Element Note", start: "IK4", parents: ["2100"] },
  ],
};
