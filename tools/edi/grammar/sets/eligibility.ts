/**
 * 270/271 Eligibility, Coverage or Benefit Inquiry and Information grammars (005010X279A1):
 * information source (2000A/2100A), information receiver (2000B/2100B), subscriber
 * (2000C/2100C with 2110C) and dependent (2000D/2100D with 2110D). TRN03 is AN 10/10. In the 271
 * a benefit (2110C/D, EB) may hold III loops (2115C/D) and related entities inside LS … LE (2120C/D).
 */
import type { LoopSpec, SetSpec } from "../spec.js";

const SOURCE = ["2B", "36", "GP", "P5", "PR"];
const RECEIVER = ["1P", "2B", "36", "80", "FA", "GP", "P5", "PR"];

const ELEMENTS = {
  HL: ["1", "3", "4"],
  TRN: ["1", "2", "3=10"],
  NM1: ["1", "2"],
  REF: ["1", "2"],
  N3: ["1"],
  N4: ["1"],
  PRV: ["1"],
  DMG: ["1", "2"],
  INS: ["1", "2"],
  HI: ["1:1,2", "?2-8:1,2"],
  DTP: ["1", "2", "3"],
  AMT: ["1", "2"],
  III: ["1", "2"],
  EQ: ["?2:1,2"],
} as const;

function hierarchy(): LoopSpec[] {
  return [
    { id: "2000A", name: "Information Source Level", start: "HL", when: [3, ["20"]], parents: ["root"], required: true },
    { id: "2100A", name: "Information Source Name", start: "NM1", when: [1, SOURCE], parents: ["2000A"], required: true, elements: { NM1: ["3", "8", "9"] } },
    { id: "2000B", name: "Information Receiver Level", start: "HL", when: [3, ["21"]], parents: ["2000A"] },
    { id: "2100B", name: "Information Receiver Name", start: "NM1", when: [1, RECEIVER], parents: ["2000B"], required: true, elements: { NM1: ["8", "9"] } },
    { id: "2000C", name: "Subscriber Level", start: "HL", when: [3, ["22"]], parents: ["2000B"] },
    { id: "2100C", name: "Subscriber Name", start: "NM1", when: [1, ["IL"]], parents: ["2000C"], required: true },
    { id: "2000D", name: "Dependent Level", start: "HL", when: [3, ["23"]], parents: ["2000C"] },
    { id: "2100D", name: "Dependent Name", start: "NM1", when: [1, ["03"]], parents: ["2000D"], required: true },
  ];
}

/** 270, 005010X279A1. */
export const INQUIRY_270: SetSpec = {
  name: "270", guide: "005010X279A1", header: ["BHT"], nameLoops: true,
  segments: ["ST", "BHT", "HL", "TRN", "NM1", "REF", "N3", "N4", "PRV", "DMG", "INS", "HI", "DTP", "EQ", "AMT", "III", "SE"],
  elements: { ...ELEMENTS, BHT: ["1", "2", "3", "4", "5"] },
  loops: [
    ...hierarchy().map((l) => (l.id === "2000B" || l.id === "2000C" ? { ...l, required: true } : l)),
    { id: "2110C", name: "Subscriber Eligibility or Benefit Inquiry", start: "EQ", parents: ["2100C"] },
    { id: "2110D", name: "Dependent Eligibility or Benefit Inquiry", start: "EQ", parents: ["2100D"] },
  ],
};

/** 271, 005010X279A1. */
export const RESPONSE_271: SetSpec = {
  name: "271", guide: "005010X279A1", header: ["BHT"], nameLoops: true,
  segments: ["ST", "BHT", "HL", "AAA", "TRN", "NM1", "REF", "N3", "N4", "PER", "PRV", "DMG", "INS", "HI", "DTP", "MPI", "EB", "HSD", "MSG", "III", "LS", "LE", "SE"],
  elements: { ...ELEMENTS, BHT: ["1", "2", "4"], AAA: ["1", "3", "4"], EB: ["1", "?13:1,2"], MSG: ["1"], LS: ["1"], LE: ["1"], PER: ["1"], MPI: ["1"] },
  loops: [
    ...hierarchy(),
    ...(["C", "D"] as const).flatMap((x): LoopSpec[] => [
      { id: `2110${x}`, name: `${x === "C" ? "Subscriber" : "Dependent"} Eligibility or Benefit Information`, start: "EB", parents: [`2100${x}`] },
      { id: `2115${x}`, name: `${x === "C" ? "Subscriber" : "Dependent"} Eligibility or Benefit Additional Information`, start: "III", parents: [`2110${x}`] },
      { id: `2120${x}`, name: `${x === "C" ? "Subscriber" : "Dependent"} Benefit Related Entity (LS … LE)`, start: "LS", parents: [`2110${x}`], end: "LE" },
      { id: `2120${x}.NM1`, name: `${x === "C" ? "Subscriber" : "Dependent"} Benefit Related Entity Name`, start: "NM1", parents: [`2120${x}`] },
    ]),
  ],
};
