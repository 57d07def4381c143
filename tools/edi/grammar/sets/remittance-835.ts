/**
 * 835 Health Care Claim Payment/Advice grammar (005010X221A1): header (BPR, TRN required),
 * payer (1000A: N1*PR with N3, N4 and the payer technical contact PER*BL required) and payee
 * (1000B: N1*PE), header number (2000, LX), claim payment (2100, CLP, with the patient name
 * NM1*QC required), service payment (2110, SVC) and provider-level adjustments (PLB, summary).
 */
import type { SetSpec } from "../spec.js";

export const REMITTANCE_835: SetSpec = {
  name: "835", guide: "005010X221A1", header: ["BPR", "TRN"], summary: ["PLB"],
  segments: ["ST", "BPR", "TRN", "CUR", "REF", "DTM", "N1", "N3", "N4", "PER", "RDM", "LX", "TS3", "TS2", "CLP", "CAS", "NM1", "MIA", "MOA", "AMT", "QTY", "SVC", "LQ", "PLB", "SE"],
  elements: {
    BPR: ["1", "2", "3", "4", "16"],
    // TRN03: the payer identifier, "1" followed by the payer's EIN (AN 10/10).
    TRN: ["1", "2", "3=10"],
    REF: ["1", "2"],
    DTM: ["1", "2"],
    N1: ["1", "2"],
    N3: ["1"],
    N4: ["1"],
    PER: ["1"],
    LX: ["1"],
    TS3: ["1", "2", "3", "4", "5"],
    CLP: ["1", "2", "3", "4", "6", "7"],
    CAS: ["1", "2", "3"],
    NM1: ["1", "2"],
    MIA: ["1"],
    AMT: ["1", "2"],
    QTY: ["1", "2"],
    SVC: ["1:1,2", "2", "3", "?6:1,2"],
    LQ: ["1", "2"],
    PLB: ["1", "2", "3:1", "4"],
  },
  loops: [
    { id: "1000A", name: "Payer Identification", start: "N1", when: [1, ["PR"]], parents: ["root"], required: true, segments: ["N3", "N4", "PER*BL"] },
    { id: "1000B", name: "Payee Identification", start: "N1", when: [1, ["PE"]], parents: ["root"], required: true },
    { id: "2000", name: "Header Number", start: "LX", parents: ["root"] },
    { id: "2100", name: "Claim Payment Information", start: "CLP", parents: ["2000"], segments: ["NM1*QC"] },
    // 2110 REF*0K (health care policy identification) repeats up to 5 times.
    { id: "2110", name: "Service Payment Information", start: "SVC", parents: ["2100"], refRepeats: ["0K"] },
  ],
};
