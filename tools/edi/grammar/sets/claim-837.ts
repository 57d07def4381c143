/**
 * 837 Health Care Claim grammars: Professional (005010X222A1) and Institutional (005010X223A2).
 * Loops, their required segments and required elements as the TR3s give them (Usage R); a
 * loop's situational segments are allowed, not required. Claim information (2300) "floats": it
 * sits in 2000B when the patient is the subscriber, in 2000C otherwise (X222A1 1.4.3.2.2.1).
 */
import type { LoopSpec, SetSpec } from "../spec.js";

const SEGMENTS = ["ST", "BHT", "NM1", "PER", "HL", "PRV", "CUR", "N3", "N4", "REF", "SBR", "PAT", "DMG", "CLM", "DTP", "CL1", "PWK", "CN1", "AMT",
  "K3", "NTE", "CR1", "CR2", "CR3", "CRC", "HI", "HCP", "CAS", "OI", "MIA", "MOA", "LX", "SV1", "SV2", "SV5", "QTY", "MEA", "PS1", "LIN", "CTP",
  "SVD", "LQ", "FRM", "SE"];

/** Rules every 837 shares (X222A1 and X223A2 agree on these). */
const ELEMENTS = {
  BHT: ["1", "2", "3", "4", "5", "6"],
  HL: ["1", "3", "4"],
  NM1: ["1", "2"],
  PER: ["1"],
  N3: ["1"],
  N4: ["1"],
  REF: ["1", "2"],
  SBR: ["1", "9"],
  DMG: ["1", "2", "3"],
  DTP: ["1", "2", "3"],
  HI: ["1:1,2", "?2-12:1,2"],
  AMT: ["1", "2"],
  CAS: ["1", "2", "3"],
  OI: ["3", "6"],
  LX: ["1"],
  LIN: ["2", "3"],
  CTP: ["4", "5:1"],
  SVD: ["1", "2", "3:1,2", "5"],
  LQ: ["1", "2"],
  FRM: ["1"],
  NTE: ["1", "2"],
  PWK: ["1", "2"],
  PAT: [],
} as const;

/** The hierarchy and name loops both forms share. */
function commonLoops(): LoopSpec[] {
  return [
    // 1000A/B: submitter and receiver; NM103, NM108 (46), NM109 required.
    { id: "1000A", name: "Submitter Name", start: "NM1", when: [1, ["41"]], parents: ["root"], required: true, segments: ["PER"], elements: { NM1: ["3", "8", "9"] } },
    { id: "1000B", name: "Receiver Name", start: "NM1", when: [1, ["40"]], parents: ["root"], required: true, elements: { NM1: ["3", "8", "9"] } },
    { id: "2000A", name: "Billing Provider Hierarchical Level", start: "HL", when: [3, ["20"]], parents: ["root"], required: true },
    // 2010AA: the billing provider's NPI (NM108 XX), address and tax id (REF*EI or SY) are required.
    { id: "2010AA", name: "Billing Provider Name", start: "NM1", when: [1, ["85"]], parents: ["2000A"], required: true, segments: ["N3", "N4", "REF*EI|SY"], refRepeats: ["0B"], elements: { NM1: ["3", "8", "9"] } },
    { id: "2010AB", name: "Pay-to Address Name", start: "NM1", when: [1, ["87"]], parents: ["2000A"], segments: ["N3", "N4"] },
    { id: "2010AC", name: "Pay-to Plan Name", start: "NM1", when: [1, ["PE"]], parents: ["2000A"], segments: ["N3", "N4"] },
    { id: "2000B", name: "Subscriber Hierarchical Level", start: "HL", when: [3, ["22"]], parents: ["2000A"], required: true, segments: ["SBR"] },
    { id: "2010BA", name: "Subscriber Name", start: "NM1", when: [1, ["IL"]], parents: ["2000B"], required: true, elements: { NM1: ["3"] } },
    { id: "2010BB", name: "Payer Name", start: "NM1", when: [1, ["PR"]], parents: ["2000B"], required: true, elements: { NM1: ["3", "8", "9"] } },
    { id: "2000C", name: "Patient Hierarchical Level", start: "HL", when: [3, ["23"]], parents: ["2000B"], segments: ["PAT"] },
    { id: "2010CA", name: "Patient Name", start: "NM1", when: [1, ["QC"]], parents: ["2000C"], required: true, segments: ["N3", "N4", "DMG"], elements: { NM1: ["3"] } },
    // 2320/2330: other payers. SBR opens 2320 only inside a claim; elsewhere it is 2000B's SBR.
    { id: "2320", name: "Other Subscriber Information", start: "SBR", parents: ["2300"], orphan: "plain", segments: ["OI"] },
    { id: "2330A", name: "Other Subscriber Name", start: "NM1", when: [1, ["IL"]], parents: ["2320"], required: true, elements: { NM1: ["3"] } },
    { id: "2330B", name: "Other Payer Name", start: "NM1", when: [1, ["PR"]], parents: ["2320"], required: true, elements: { NM1: ["3", "8", "9"] } },
    { id: "2410", name: "Drug Identification", start: "LIN", parents: ["2400"], segments: ["CTP"] },
    { id: "2430", name: "Line Adjudication Information", start: "SVD", parents: ["2400"], segments: ["DTP*573"] },
    { id: "2440", name: "Form Identification Code", start: "LQ", parents: ["2400"], segments: ["FRM"] },
  ];
}

/** 837P, 005010X222A1. */
export const CLAIM_837P: SetSpec = {
  name: "837P", guide: "005010X222A1", segments: SEGMENTS, header: ["BHT"], nameLoops: true,
  elements: { ...ELEMENTS, CLM: ["1", "2", "5:1,2,3", "6", "7", "8", "9"], SV1: ["1:1,2", "2", "3", "4", "7:1"] },
  loops: [
    ...commonLoops(),
    // 2300: CLM and the diagnosis codes (HI) are required on a professional claim.
    { id: "2300", name: "Claim Information", start: "CLM", parents: ["2000B", "2000C"], segments: ["HI"] },
    { id: "2310C", name: "Service Facility Location Name", start: "NM1", when: [1, ["77"]], parents: ["2300"], segments: ["N3", "N4"] },
    { id: "2310E", name: "Ambulance Pick-up Location", start: "NM1", when: [1, ["PW"]], parents: ["2300"], segments: ["N3", "N4"] },
    { id: "2310F", name: "Ambulance Drop-off Location", start: "NM1", when: [1, ["45"]], parents: ["2300"], segments: ["N3", "N4"] },
    // 2400: every line has SV1 and its service date (DTP*472); prior authorization and referral
    // numbers (REF*G1, REF*9F) may repeat up to 5 times on a line.
    { id: "2400", name: "Service Line Number", start: "LX", parents: ["2300"], required: true, segments: ["SV1", "DTP*472"], refRepeats: ["G1", "9F"] },
    { id: "2420C", name: "Service Facility Location Name", start: "NM1", when: [1, ["77"]], parents: ["2400"], segments: ["N3", "N4"] },
    { id: "2420G", name: "Ambulance Pick-up Location", start: "NM1", when: [1, ["PW"]], parents: ["2400"], segments: ["N3", "N4"] },
    { id: "2420H", name: "Ambulance Drop-off Location", start: "NM1", when: [1, ["45"]], parents: ["2400"], segments: ["N3", "N4"] },
  ],
};

/** 837I, 005010X223A2. */
export const CLAIM_837I: SetSpec = {
  name: "837I", guide: "005010X223A2", segments: SEGMENTS, header: ["BHT"], nameLoops: true,
  elements: { ...ELEMENTS, CLM: ["1", "2", "5:1,2,3", "7", "8", "9"], SV2: ["1", "?2:1,2", "3", "4", "5"], CL1: ["1"] },
  loops: [
    ...commonLoops(),
    // 2300: statement dates (DTP*434), the institutional claim code (CL1) and the principal
    // diagnosis (HI) are required on an institutional claim.
    { id: "2300", name: "Claim Information", start: "CLM", parents: ["2000B", "2000C"], segments: ["DTP*434", "CL1", "HI"] },
    { id: "2310E", name: "Service Facility Location Name", start: "NM1", when: [1, ["77"]], parents: ["2300"], segments: ["N3", "N4"] },
    { id: "2400", name: "Service Line Number", start: "LX", parents: ["2300"], required: true, segments: ["SV2"] },
  ],
};
