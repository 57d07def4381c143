/** The sandbox payers' plans and the drugs the hand-written edge cases are built from (see `payers.default.json`). */
const plan = (id: string, name: string, type: string, planId: string) => ({ id, name, type, planId });

export const PLANS = {
  medicare: plan("SBMCR", "Sandbox Medicare Part B", "medicare", "MCR-B"),
  medicareAdvantage: plan("SBMA1", "Sandbox Medicare Advantage", "medicare-advantage", "MA-GOLD"),
  ppo: plan("SBCOM1", "Sandbox Commercial Health", "commercial", "COM-PPO"),
  hdhp: plan("SBCOM1", "Sandbox Commercial Health", "commercial", "COM-HDHP"),
  medicaid: plan("SBMCD", "Sandbox Medicaid", "medicaid", "MCD-STD"),
};

export const DRUGS = {
  pembrolizumab: { hcpcs: "J9271", name: "pembrolizumab", doseMg: 200 },
  pegfilgrastim: { hcpcs: "J2506", name: "pegfilgrastim", doseMg: 6 },
  trastuzumab: { hcpcs: "J9355", name: "trastuzumab", doseMg: 420, icd10: "C50.911" },
  bevacizumab: { hcpcs: "J9035", name: "bevacizumab", doseMg: 1050 },
};
