/** A clearinghouse wrapper that keeps every 278 as it reaches the payer (the X12 text), passing everything through. */
import type { Clearinghouse } from "../../tools/payer/clearinghouse.js";

export function recordingAuthorizations(sent: string[]): (inner: Clearinghouse) => Clearinghouse {
  return (inner) => ({
    submitEligibility: (x12) => inner.submitEligibility(x12),
    submitAuthorization: (x12) => {
      sent.push(x12);
      return inner.submitAuthorization(x12);
    },
    submitClaims: (x12) => inner.submitClaims(x12),
    receiveRemittances: () => inner.receiveRemittances(),
  });
}
