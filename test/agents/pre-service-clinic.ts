/** The scenario builder, for the agents' tests. */
export * from "../../tools/sandbox/scenario-clinic.js";
