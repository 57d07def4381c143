/**
 * 276/277 Health Care Claim Status Request and Response (005010X212) and 277CA Health Care
 * Claim Acknowledgment (005010X214) grammars. Levels: information source (2000A, HL 20),
 * receiver (2000B, 21), provider (2000C, 19), subscriber (2000D, 22) and dependent (2000E, 23);
 * the 277CA's patient level is HL PT (2000D). Each level's name (2100x) is required; a trace
 * (TRN) opens its 2200x loop, a service line (SVC) its 2210/2220 loop.
 */
import type { LoopSpec, SetSpec } from "../spec.js";

const ELEMENTS = {
  BHT: ["1", "2", "3", "4"],
  HL: ["1", "3"],
  NM1: ["1", "2"],
  TRN: ["1", "2"],
  REF: ["1", "2"],
  DTP: ["1", "2", "3"],
  AMT: ["1", "2"],
  QTY: ["1", "2"],
  DMG: ["1", "2"],
  STC: ["1:1,2"],
  SVC: ["1:1,2", "2"],
  PER: ["1"],
} as const;

type Level = { hl: string; x: "A" | "B" | "C" | "D" | "E"; name: string; names: readonly string[] | null; parents: readonly string[]; required?: boolean };

/** The HL level, its name loop and its trace loop, for each level a set has. */
function levels(list: readonly Level[], trace: (x: Level["x"]) => Partial<LoopSpec> | null): LoopSpec[] {
  return list.flatMap((l): LoopSpec[] => {
    const t = trace(l.x);
    return [
      { id: `2000${l.x}`, name: `${l.name} Level`, start: "HL", when: [3, [l.hl]], parents: l.parents, ...(l.required === true ? { required: true } : {}) },
      { id: `2100${l.x}`, name: `${l.name} Name`, start: "NM1", ...(l.names === null ? {} : { when: [1, l.names] as const }), parents: [`2000${l.x}`], required: true },
      ...(t === null ? [] : [{ id: `2200${l.x}`, name: `${l.name} Trace`, start: "TRN", parents: [`2000${l.x}`], ...t }]),
    ];
  });
}

const X212_LEVELS: Level[] = [
  { hl: "20", x: "A", name: "Information Source", names: ["PR"], parents: ["root"], required: true },
  { hl: "21", x: "B", name: "Information Receiver", names: ["41"], parents: ["2000A"], required: true },
  { hl: "19", x: "C", name: "Service Provider", names: ["1P"], parents: ["2000B"], required: true },
  { hl: "22", x: "D", name: "Subscriber", names: ["IL"], parents: ["2000C"], required: true },
  { hl: "23", x: "E", name: "Dependent", names: ["QC"], parents: ["2000D"] },
];

/** 276, 005010X212. */
export const STATUS_276: SetSpec = {
  name: "276", guide: "005010X212", header: ["BHT"], nameLoops: true,
  segments: ["ST", "BHT", "HL", "NM1", "TRN", "REF", "AMT", "DTP", "DMG", "SVC", "SE"],
  elements: ELEMENTS,
  loops: [
    ...levels(X212_LEVELS, (x) => (x === "D" || x === "E" ? {} : null)),
    { id: "2210D", name: "Service Line Information", start: "SVC", parents: ["2200D"] },
    { id: "2210E", name: "Service Line Information", start: "SVC", parents: ["2200E"] },
  ],
};

/** 277, 005010X212: a claim's status (2200D/E) and its lines' (2220D/E) each need an STC. */
export const STATUS_277: SetSpec = {
  name: "277", guide: "005010X212", header: ["BHT"], nameLoops: true,
  segments: ["ST", "BHT", "HL", "NM1", "PER", "TRN", "STC", "REF", "DTP", "SVC", "SE"],
  elements: ELEMENTS,
  loops: [
    ...levels(X212_LEVELS, (x) => (x === "D" || x === "E" ? { segments: ["STC"] } : null)),
    { id: "2220D", name: "Service Line Information", start: "SVC", parents: ["2200D"], segments: ["STC"] },
    { id: "2220E", name: "Service Line Information", start: "SVC", parents: ["2200E"], segments: ["STC"] },
  ],
};

/**
 * 277CA, 005010X214: the receipt trace with its received and processed dates (2200A), the
 * receiver's batch acknowledgment (2200B TRN*2 and STC), the billing provider (2000C, optional),
 * and per patient (2000D, HL PT) the claim (2200D: TRN, STC, DTP*472) and its lines (2220D:
 * SVC, STC, REF*FJ, DTP*472).
 */
export const ACK_277CA: SetSpec = {
  name: "277CA", guide: "005010X214", header: ["BHT"], nameLoops: true,
  segments: ["ST", "BHT", "HL", "NM1", "TRN", "STC", "QTY", "AMT", "REF", "DTP", "SVC", "SE"],
  elements: { ...ELEMENTS, STC: ["1:1,2", "?2", "3"] },
  loops: [
    ...levels([
      { hl: "20", x: "A", name: "Information Source", names: ["AY", "PR"], parents: ["root"], required: true },
      { hl: "21", x: "B", name: "Information Receiver", names: ["41"], parents: ["2000A"], required: true },
      { hl: "19", x: "C", name: "Billing Provider of Service", names: ["85"], parents: ["2000B"] },
      { hl: "PT", x: "D", name: "Patient", names: ["QC"], parents: ["2000C", "2000B"] },
    ], (x) => ({ A: { required: true, segments: ["DTP*050", "DTP*009"] }, B: { required: true, segments: ["STC"] }, C: {}, D: { segments: ["STC", "DTP*472"] }, E: null })[x]),
    { id: "2220D", name: "Service Line Information", start: "SVC", parents: ["2200D"], segments: ["STC", "REF*FJ", "DTP*472"] },
  ],
};
