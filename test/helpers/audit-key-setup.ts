/** Every test process signs the audit chain with a fixed test key (the service loads its own: AUDIT_KEY or the data folder's audit.key). */
import { StaticAuditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";

/** The key test processes sign the audit chain with. */
export const TEST_AUDIT_SECRET = Buffer.alloc(32, 0x5a);

useAuditKeyring(new StaticAuditKeyring([TEST_AUDIT_SECRET]));
