/**
 * 278 Health Care Services Review grammars (005010X217), request (BHT02 13) and response
 * (BHT02 11): UMO (2000A/2010A), requester (2000B/2010B), subscriber (2000C/2010C), dependent
 * (2000D/2010D), patient event (2000E, HL EV) and service (2000F, HL SS). Each event and service
 * level carries its UM; in a response each service level its HCR (the decision), while an event
 * level may only group its services. TRN03 is AN 10/10.
 */
import type { LoopSpec, SetSpec } from "../spec.js";

const SEGMENTS = ["ST", "BHT", "HL", "AAA", "NM1", "REF", "N3", "N4", "PER", "PRV", "DMG", "INS", "TRN", "UM", "HCR", "HI", "HSD", "CRC", "CL1",
  "CR1", "CR2", "CR5", "CR6", "PWK", "MSG", "DTP", "SV1", "SV2", "SV3", "TOO", "SE"];

const ELEMENTS = {
  BHT: ["1", "2", "3", "4", "5"],
  HL: ["1", "3", "4"],
  AAA: ["1", "3", "4"],
  NM1: ["1", "2"],
  REF: ["1", "2"],
  N3: ["1"],
  N4: ["1"],
  PER: ["1"],
  PRV: ["1"],
  DMG: ["1", "2"],
  TRN: ["1", "2", "3=10"],
  UM: ["1", "2", "?4:1,2"],
  HCR: ["1"],
  HI: ["1:1,2", "?2-12:1,2"],
  DTP: ["1", "2", "3"],
  SV1: ["1:1,2"],
  SV2: ["1", "?2:1,2"],
  MSG: ["1"],
} as const;

/** `service`: what a service level requires (the response adds the decision, HCR); an event level needs its UM. */
function loops(service: readonly string[]): LoopSpec[] {
  return [
    { id: "2000A", name: "Utilization Management Organization (UMO) Level", start: "HL", when: [3, ["20"]], parents: ["root"], required: true },
    { id: "2010A", name: "Utilization Management Organization (UMO) Name", start: "NM1", parents: ["2000A"], required: true },
    { id: "2000B", name: "Requester Level", start: "HL", when: [3, ["21"]], parents: ["2000A"] },
    { id: "2010B", name: "Requester Name", start: "NM1", when: [1, ["1P", "FA"]], parents: ["2000B"], required: true },
    { id: "2000C", name: "Subscriber Level", start: "HL", when: [3, ["22"]], parents: ["2000B"] },
    { id: "2010C", name: "Subscriber Name", start: "NM1", when: [1, ["IL"]], parents: ["2000C"], required: true },
    { id: "2000D", name: "Dependent Level", start: "HL", when: [3, ["23"]], parents: ["2000C"] },
    { id: "2010D", name: "Dependent Name", start: "NM1", when: [1, ["QC"]], parents: ["2000D"], required: true },
    { id: "2000E", name: "Patient Event Level", start: "HL", when: [3, ["EV"]], parents: ["2000D", "2000C"], segments: ["UM"] },
    { id: "2000F", name: "Service Level", start: "HL", when: [3, ["SS"]], parents: ["2000E"], segments: service },
  ];
}

/** 278 request, 005010X217. */
export const REQUEST_278: SetSpec = {
  name: "278 request", guide: "005010X217", header: ["BHT"], nameLoops: true, segments: SEGMENTS, elements: ELEMENTS, loops: loops(["UM"]),
};

/** 278 response, 005010X217. */
export const RESPONSE_278: SetSpec = {
  name: "278 response", guide: "005010X217", header: ["BHT"], nameLoops: true, segments: SEGMENTS, elements: ELEMENTS, loops: loops(["UM", "HCR"]),
};
