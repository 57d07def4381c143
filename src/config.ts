/**
 * The service's configuration: read from the environment once, here, and parsed with zod.
 * An invalid value stops start-up with a message naming the variable. Every variable is
 * documented in `.env.example` and the README.
 */
import path from "node:path";
import { z } from "zod";
import { AppError } from "../tools/errors.js";
import { DEFAULT_CHARGE_ERROR_RATE } from "../tools/sandbox/visits/charge-errors.js";

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

const optionalUrl = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === "" ? undefined : v))
  .pipe(z.url().optional());

/** Schema of the environment this service reads. */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: optionalUrl,
  DATA_DIR: z.string().min(1).default("./data"),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_PAYLOADS: booleanFlag.default(false),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  AUTH_FAILURE_MAX: z.coerce.number().int().min(1).default(20),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  TRUST_PROXY: booleanFlag.default(false),
  SANDBOX: z.enum(["on", "off"]).default("on"),
  SANDBOX_PATIENTS: z.coerce.number().int().min(1).max(100_000).default(60),
  SANDBOX_WEEKS: z.coerce.number().int().min(1).max(52).default(4),
  SANDBOX_SEED: z.coerce.number().int().min(0).default(42),
  /** Per-visit rate of each charge-capture error planted in the sandbox's past visits (README "Sandbox: after the visit"). */
  SANDBOX_CHARGE_ERROR_RATE: z.coerce.number().min(0).max(1).default(DEFAULT_CHARGE_ERROR_RATE),
  PAYER_CONFIG_FILE: z.string().trim().optional().transform((v) => (v === "" ? undefined : v)),
  EHR_BASE_URL: optionalUrl,
  EHR_TOKEN: z.string().optional(),
  EHR_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  LLM_PROVIDER: z.enum(["openai", "offline"]).optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  OPENAI_STRUCTURED_METHOD: z.enum(["jsonSchema", "functionCalling", "jsonMode"]).default("jsonSchema"),
  OPENAI_EMBEDDING_MODEL: z.string().min(1).default("text-embedding-3-small"),
  EMBEDDINGS_PROVIDER: z.enum(["openai", "offline"]).optional(),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  LLM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  OFFLINE_CONFIDENCE_CAP: z.coerce.number().min(0).max(1).default(0.6),
  AUTONOMY_WINDOW_DAYS: z.coerce.number().int().min(1).default(120),
  AUTONOMY_PARTIAL_MIN_REVIEWED: z.coerce.number().int().min(0).default(200),
  AUTONOMY_PARTIAL_MIN_ACCEPTED: z.coerce.number().min(0).max(1).default(0.95),
  AUTONOMY_PARTIAL_MIN_DAYS: z.coerce.number().int().min(0).default(30),
  AUTONOMY_FULL_MIN_REVIEWED: z.coerce.number().int().min(0).default(500),
  AUTONOMY_FULL_MIN_ACCEPTED: z.coerce.number().min(0).max(1).default(0.98),
  AUTONOMY_FULL_MIN_DAYS: z.coerce.number().int().min(0).default(90),
  CLINIC_NAME: z.string().trim().min(1).max(60).default("SANDBOX INFUSION CENTER"),
  CLINIC_NPI: z.string().regex(/^\d{10}$/, "a 10-digit NPI").default("1999999984"),
  CLINIC_BILLING_CONTACT: z.string().trim().min(1).max(60).default("BILLING OFFICE"),
  CLINIC_PHONE: z.string().regex(/^\d{10}$/, "ten digits, no punctuation").default("2175550100"),
  CLINIC_TAX_ID: z.string().regex(/^\d{9}$/, "a 9-digit EIN without the hyphen").default("123456789"),
  CLINIC_ADDRESS: z.string().trim().regex(/^[^,]+,\s*[^,]+,\s*[A-Z]{2}\s+\d{5}(\d{4})?$/, "street, city, ST 12345").default("100 Infusion Way, Springfield, IL 62701"),
  SWEEP_DAYS_AHEAD: z.coerce.number().int().min(0).max(60).default(5),
  SWEEP_DAILY_CRON: z.string().trim().min(9).default("0 6 * * *"),
  SWEEP_RECHECK_CRON: z.string().trim().min(9).default("0 14 * * *"),
  SWEEP_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(3),
  SWEEP_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(100),
  SWEEP_ON_START: booleanFlag.default(true),
  PRE_BILL_CRON: z.string().trim().min(9).default("0 7 * * *"),
  PRE_BILL_DAYS_BACK: z.coerce.number().int().min(1).max(92).default(7),
  SWEEP_POLLING_SECONDS: z.coerce.number().min(0.5).max(300).default(2),
  SWEEP_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  INSTANCE_HEARTBEAT_SECONDS: z.coerce.number().min(0.05).max(300).default(5),
  INSTANCE_DEAD_AFTER_SECONDS: z.coerce.number().min(0.1).max(3600).default(15),
  CMS_FILES_CHECK_MS: z.coerce.number().int().min(0).default(30_000),
  AUDIT_KEY: z.string().trim().optional().transform((v) => (v === "" ? undefined : v)),
  AUDIT_ANCHOR_EVERY_MS: z.coerce.number().int().min(0).default(300_000),
  // Retention (README, "Retention"): why each default is what it is is written there.
  RETENTION_CRON: z.string().trim().min(9).default("30 3 * * *"),
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(10).max(10_000).default(500),
  RETAIN_CHECKPOINTS_DAYS: z.coerce.number().int().min(0).default(7),
  RETAIN_CHECKPOINTS_KEEP: z.enum(["last", "none"]).default("last"),
  RETAIN_SUPERSEDED_REVIEWS_DAYS: z.coerce.number().int().min(0).default(90),
  RETAIN_RUNS_DAYS: z.coerce.number().int().min(1).default(400),
  RETAIN_SWEEPS_DAYS: z.coerce.number().int().min(1).default(30),
  RETAIN_CONSOLE_SESSIONS_DAYS: z.coerce.number().int().min(1).default(30),
  RETAIN_JOBS_COMPLETED_HOURS: z.coerce.number().int().min(1).default(12),
  RETAIN_JOBS_ARCHIVE_DAYS: z.coerce.number().int().min(1).default(7),
  // HIPAA, 45 CFR 164.316(b)(2)(i): six years; the database refuses to drop a younger month whatever this says.
  AUDIT_RETAIN_MONTHS: z.coerce.number().int().min(72).max(1200).default(84),
  AUDIT_ARCHIVE_DIR: z.string().trim().optional().transform((v) => (v === "" ? undefined : v)),
  // The web console (README, "The console").
  CONSOLE: z.enum(["on", "off"]).default("on"),
  CONSOLE_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  CONSOLE_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  // Secure cookies: `auto` sets Secure when the request came over HTTPS (behind a proxy: TRUST_PROXY).
  CONSOLE_SECURE_COOKIES: z.enum(["auto", "true", "false"]).default("auto"),
  // Single sign-on with OpenID Connect (README, "Single sign-on (OpenID Connect)"): on when OIDC_ISSUER is set.
  OIDC_ISSUER: optionalUrl,
  OIDC_CLIENT_ID: z.string().trim().optional().transform((v) => (v === "" ? undefined : v)),
  OIDC_CLIENT_SECRET: z.string().optional().transform((v) => (v === "" ? undefined : v)),
  OIDC_REDIRECT_URL: optionalUrl,
  OIDC_PROVIDER_NAME: z.string().trim().min(1).max(60).default("single sign-on"),
  OIDC_SCOPES: z.string().trim().min(1).default("openid profile email"),
  OIDC_ROLE_CLAIM: z.string().trim().min(1).default("groups"),
  OIDC_ROLE_MAP: z.string().trim().default(""),
  OIDC_AUTO_CREATE: booleanFlag.default(false),
});

const CONSOLE_ROLES = ["staff", "council", "admin", "finance"] as const;

/** `value:role,value:role` → a map of claim values to console roles, or the problem with it. */
export function parseRoleMap(text: string): Record<string, (typeof CONSOLE_ROLES)[number]> | string {
  const map: Record<string, (typeof CONSOLE_ROLES)[number]> = {};
  for (const pair of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const at = pair.lastIndexOf(":");
    const value = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim();
    if (at <= 0 || value === "") return `"${pair}" is not claim-value:role`;
    if (!(CONSOLE_ROLES as readonly string[]).includes(role)) return `"${role}" is not one of ${CONSOLE_ROLES.join(", ")}`;
    map[value] = role as (typeof CONSOLE_ROLES)[number];
  }
  return map;
}

/** OpenID Connect sign-in, when configured. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only, `token_endpoint_auth_method=none`). */
  clientSecret: string | undefined;
  /** Where the provider sends the browser back; absent: this service's address + `/sign-in/oidc/callback`. */
  redirectUrl: string | undefined;
  providerName: string;
  scopes: string;
  roleClaim: string;
  roleMap: Record<string, "staff" | "council" | "admin" | "finance">;
  autoCreate: boolean;
}

/** Parsed configuration, in the names the code uses. */
export interface Config {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  /** PostgreSQL server URL; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolMax: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Log model and tool payloads (off by default: they may hold PHI). */
  logPayloads: boolean;
  bodyLimitBytes: number;
  /** Requests per key per window; failed authentications per client address per window (`authFailureMax`). */
  rateLimit: { max: number; windowMs: number; authFailureMax: number };
  shutdownTimeoutMs: number;
  trustProxy: boolean;
  /** The web console: sessions' idle and absolute timeouts, and whether cookies are Secure. */
  console: { enabled: boolean; idleMinutes: number; maxHours: number; secureCookies: "auto" | "always" | "never"; oidc: OidcConfig | null };
  /** The sandbox world (synthetic EHR and payer simulator); off when a real EHR is configured. */
  sandbox: { enabled: boolean; patients: number; weeks: number; seed: number; payerConfigFile: string | undefined; chargeErrorRate: number };
  ehr: { baseUrl: string | undefined; token: string | undefined; timeoutMs: number };
  /** Model provider: `openai` when a key is set (or chosen), else `offline`. */
  llm: {
    provider: "openai" | "offline";
    apiKey: string | undefined;
    baseUrl: string | undefined;
    model: string;
    structuredMethod: "jsonSchema" | "functionCalling" | "jsonMode";
    embeddingsProvider: "openai" | "offline";
    embeddingModel: string;
    timeoutMs: number;
    maxRetries: number;
    /** Most model requests in flight at once; a batch's calls run concurrently up to it. */
    concurrency: number;
    offlineConfidenceCap: number;
  };
  /** What a promotion must be earned with (see src/governance/autonomy.ts). */
  autonomy: {
    windowDays: number;
    partial: { minReviewed: number; minAcceptedWithoutEdit: number; minDays: number };
    full: { minReviewed: number; minAcceptedWithoutEdit: number; minDays: number };
  };
  /** The clinic as it names itself to payers on X12 (NM1*1P; on claims the billing provider, 2010AA). */
  clinic: { name: string; npi: string; taxId: string; address: { line1: string; line2: null; city: string; state: string; zip: string }; billingContact: string; phone: string };
  /** The pre-service sweep: days ahead, cron schedules (daily, and the volatile-plan recheck), workers and appointments per batch. */
  sweep: {
    daysAhead: number; dailyCron: string; recheckCron: string; concurrency: number; batchSize: number; onStart: boolean;
    /** The daily pre-bill pass (cron) over the visits of the last `preBillDaysBack` days. */
    preBillCron: string; preBillDaysBack: number;
    /** How long an idle worker waits between fetches. */
    pollingSeconds: number;
    /** How long a fetched sweep job may stay active before pg-boss fails it (a live instance's hung batch; a dead instance's jobs are released by takeover). */
    jobExpireSeconds: number;
  };
  /** The instance registry: how often this instance beats, and after how long without a beat another takes it over. */
  instances: { heartbeatSeconds: number; deadAfterSeconds: number };
  /** The CMS quarterly files: how often to look for a quarter imported by another process (0: never). */
  cmsFiles: { checkEveryMs: number };
  /** The audit chain's key (base64; else the data folder's audit.key) and how often its head is anchored besides at run ends (0: only at run ends). */
  audit: { key: string | undefined; anchorEveryMs: number };
  /**
   * What is deleted and when (src/jobs/retention.ts): finished runs' checkpoints, superseded review
   * items, finished runs, completed sweeps, job-queue rows; audit months kept before archiving.
   */
  retention: {
    cron: string;
    batchSize: number;
    checkpoints: { afterDays: number; keep: "last" | "none" };
    supersededReviewsDays: number;
    runsDays: number;
    sweepsDays: number;
    /** Console sessions ended, expired or idle this many days ago are deleted. */
    consoleSessionsDays: number;
    jobs: { completedHours: number; archiveDays: number };
    auditRetainMonths: number;
    /** Where archived audit months are written (default: DATA_DIR/audit-archive). */
    auditArchiveDir: string;
  };
}

/** Raised when the environment does not parse; names each offending variable. */
export class ConfigError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super("CONFIG_INVALID", 500, message, { details });
  }
}

/** Parses configuration from an environment (defaults to `process.env`). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path.join(".") || "(environment)";
      return { variable, message: issue.message };
    });
    const summary = problems.map((p) => `${p.variable}: ${p.message}`).join("; ");
    throw new ConfigError(`Invalid configuration — ${summary}`, { problems });
  }
  const e = parsed.data;
  const hasKey = e.OPENAI_API_KEY !== undefined && e.OPENAI_API_KEY !== "";
  const llmProvider = e.LLM_PROVIDER ?? (hasKey ? "openai" : "offline");
  if (llmProvider === "openai" && !hasKey && e.OPENAI_BASE_URL === undefined) {
    throw new ConfigError("Invalid configuration — OPENAI_API_KEY: required when LLM_PROVIDER=openai (or set OPENAI_BASE_URL for a local server)", { problems: [{ variable: "OPENAI_API_KEY", message: "required" }] });
  }
  // A live instance must not look dead between two beats: one late beat (a long pause) is tolerated.
  if (e.INSTANCE_DEAD_AFTER_SECONDS < 2 * e.INSTANCE_HEARTBEAT_SECONDS) {
    throw new ConfigError("Invalid configuration — INSTANCE_DEAD_AFTER_SECONDS: must be at least twice INSTANCE_HEARTBEAT_SECONDS",
      { problems: [{ variable: "INSTANCE_DEAD_AFTER_SECONDS", message: "at least twice INSTANCE_HEARTBEAT_SECONDS" }] });
  }
  // An instance that works no sweep jobs leaves them to another instance on the same database; the
  // embedded database belongs to one process, so there would be none and its sweeps would never end.
  if (e.SWEEP_CONCURRENCY === 0 && (e.DATABASE_URL === undefined || e.DATABASE_URL === "")) {
    throw new ConfigError("Invalid configuration — SWEEP_CONCURRENCY: 0 needs DATABASE_URL (another instance on the same PostgreSQL database works the sweeps; the embedded database has no other instance)",
      { problems: [{ variable: "SWEEP_CONCURRENCY", message: "0 needs DATABASE_URL" }] });
  }
  let oidc: OidcConfig | null = null;
  if (e.OIDC_ISSUER !== undefined) {
    const roleMap = parseRoleMap(e.OIDC_ROLE_MAP);
    if (typeof roleMap === "string") {
      throw new ConfigError(`Invalid configuration — OIDC_ROLE_MAP: ${roleMap}`, { problems: [{ variable: "OIDC_ROLE_MAP", message: roleMap }] });
    }
    if (e.OIDC_CLIENT_ID === undefined) {
      throw new ConfigError("Invalid configuration — OIDC_CLIENT_ID: required when OIDC_ISSUER is set", { problems: [{ variable: "OIDC_CLIENT_ID", message: "required" }] });
    }
    oidc = {
      issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, redirectUrl: e.OIDC_REDIRECT_URL,
      providerName: e.OIDC_PROVIDER_NAME, scopes: e.OIDC_SCOPES.includes("openid") ? e.OIDC_SCOPES : `openid ${e.OIDC_SCOPES}`,
      roleClaim: e.OIDC_ROLE_CLAIM, roleMap, autoCreate: e.OIDC_AUTO_CREATE,
    };
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    dbPoolMax: e.DB_POOL_MAX,
    logLevel: e.LOG_LEVEL,
    logPayloads: e.LOG_PAYLOADS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    rateLimit: { max: e.RATE_LIMIT_MAX, windowMs: e.RATE_LIMIT_WINDOW_MS, authFailureMax: e.AUTH_FAILURE_MAX },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY,
    console: {
      enabled: e.CONSOLE === "on", idleMinutes: e.CONSOLE_IDLE_MINUTES, maxHours: e.CONSOLE_SESSION_HOURS,
      secureCookies: e.CONSOLE_SECURE_COOKIES === "auto" ? "auto" : e.CONSOLE_SECURE_COOKIES === "true" ? "always" : "never",
      oidc,
    },
    sandbox: {
      enabled: e.SANDBOX === "on" && e.EHR_BASE_URL === undefined,
      patients: e.SANDBOX_PATIENTS, weeks: e.SANDBOX_WEEKS, seed: e.SANDBOX_SEED, payerConfigFile: e.PAYER_CONFIG_FILE,
      chargeErrorRate: e.SANDBOX_CHARGE_ERROR_RATE,
    },
    ehr: { baseUrl: e.EHR_BASE_URL, token: e.EHR_TOKEN, timeoutMs: e.EHR_TIMEOUT_MS },
    llm: {
      provider: llmProvider,
      apiKey: e.OPENAI_API_KEY === "" ? undefined : e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      structuredMethod: e.OPENAI_STRUCTURED_METHOD,
      embeddingsProvider: e.EMBEDDINGS_PROVIDER ?? llmProvider,
      embeddingModel: e.OPENAI_EMBEDDING_MODEL,
      timeoutMs: e.LLM_TIMEOUT_MS,
      maxRetries: e.LLM_MAX_RETRIES,
      concurrency: e.LLM_CONCURRENCY,
      offlineConfidenceCap: e.OFFLINE_CONFIDENCE_CAP,
    },
    autonomy: {
      windowDays: e.AUTONOMY_WINDOW_DAYS,
      partial: { minReviewed: e.AUTONOMY_PARTIAL_MIN_REVIEWED, minAcceptedWithoutEdit: e.AUTONOMY_PARTIAL_MIN_ACCEPTED, minDays: e.AUTONOMY_PARTIAL_MIN_DAYS },
      full: { minReviewed: e.AUTONOMY_FULL_MIN_REVIEWED, minAcceptedWithoutEdit: e.AUTONOMY_FULL_MIN_ACCEPTED, minDays: e.AUTONOMY_FULL_MIN_DAYS },
    },
    clinic: { name: e.CLINIC_NAME, npi: e.CLINIC_NPI, taxId: e.CLINIC_TAX_ID, address: clinicAddress(e.CLINIC_ADDRESS), billingContact: e.CLINIC_BILLING_CONTACT, phone: e.CLINIC_PHONE },
    sweep: {
      daysAhead: e.SWEEP_DAYS_AHEAD, dailyCron: e.SWEEP_DAILY_CRON, recheckCron: e.SWEEP_RECHECK_CRON, concurrency: e.SWEEP_CONCURRENCY, batchSize: e.SWEEP_BATCH_SIZE, onStart: e.SWEEP_ON_START,
      preBillCron: e.PRE_BILL_CRON, preBillDaysBack: e.PRE_BILL_DAYS_BACK,
      pollingSeconds: e.SWEEP_POLLING_SECONDS, jobExpireSeconds: e.SWEEP_JOB_EXPIRE_SECONDS,
    },
    instances: { heartbeatSeconds: e.INSTANCE_HEARTBEAT_SECONDS, deadAfterSeconds: e.INSTANCE_DEAD_AFTER_SECONDS },
    cmsFiles: { checkEveryMs: e.CMS_FILES_CHECK_MS },
    audit: { key: e.AUDIT_KEY, anchorEveryMs: e.AUDIT_ANCHOR_EVERY_MS },
    retention: {
      cron: e.RETENTION_CRON,
      batchSize: e.RETENTION_BATCH_SIZE,
      checkpoints: { afterDays: e.RETAIN_CHECKPOINTS_DAYS, keep: e.RETAIN_CHECKPOINTS_KEEP },
      supersededReviewsDays: e.RETAIN_SUPERSEDED_REVIEWS_DAYS,
      runsDays: e.RETAIN_RUNS_DAYS,
      sweepsDays: e.RETAIN_SWEEPS_DAYS,
      consoleSessionsDays: e.RETAIN_CONSOLE_SESSIONS_DAYS,
      jobs: { completedHours: e.RETAIN_JOBS_COMPLETED_HOURS, archiveDays: e.RETAIN_JOBS_ARCHIVE_DAYS },
      auditRetainMonths: e.AUDIT_RETAIN_MONTHS,
      auditArchiveDir: e.AUDIT_ARCHIVE_DIR ?? path.join(e.DATA_DIR, "audit-archive"),
    },
  };
}

/** "100 Infusion Way, Springfield, IL 62701" → its parts (the format is checked by the schema). */
function clinicAddress(text: string): { line1: string; line2: null; city: string; state: string; zip: string } {
  const [line1 = "", city = "", stateZip = ""] = text.split(",").map((p) => p.trim());
  const [state = "", zip = ""] = stateZip.split(/\s+/);
  return { line1, line2: null, city, state, zip };
}
