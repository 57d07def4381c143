/** The exception reasons the eligibility evaluation scores (every eligibility reason the agent raises). */
export const ELIGIBILITY_JUDGED = [
  "coverage-inactive", "coverage-not-verified-for-dos", "coverage-pending-investigation", "coverage-undetermined",
  "aaa-rejection-payer", "aaa-rejection-provider", "aaa-rejection-subscriber", "aaa-rejection-dependent", "aaa-rejection-benefit",
  "coverage-not-on-file", "pharmacy-benefit-buy-and-bill", "benefit-ambiguous", "payer-unreachable",
] as const;
