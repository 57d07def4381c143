import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("configuration", () => {
  it("has working defaults: embedded database in ./data on port 3000", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, dataDir: "./data", databaseUrl: undefined, logPayloads: false });
  });

  it("treats an empty DATABASE_URL as unset", () => {
    expect(loadConfig({ DATABASE_URL: "" }).databaseUrl).toBeUndefined();
  });

  it("stops with a message naming each invalid variable", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", LOG_LEVEL: "loud", DATABASE_URL: "not a url" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("PORT");
    expect(message).toContain("LOG_LEVEL");
    expect(message).toContain("DATABASE_URL");
  });

  it("reads autonomy thresholds, defaulting to ≥ 200 reviewed, ≥ 95 % accepted, ≥ 30 days for partial", () => {
    expect(loadConfig({}).autonomy.partial).toEqual({ minReviewed: 200, minAcceptedWithoutEdit: 0.95, minDays: 30 });
    expect(loadConfig({ AUTONOMY_FULL_MIN_REVIEWED: "1000" }).autonomy.full.minReviewed).toBe(1000);
    expect(() => loadConfig({ AUTONOMY_PARTIAL_MIN_ACCEPTED: "1.5" })).toThrow(/AUTONOMY_PARTIAL_MIN_ACCEPTED/);
  });

  it("reads the takeover and queue timings: heartbeat 5 s, dead after 15 s, job expiry 900 s, polling 2 s; dead-after must cover two beats", () => {
    const config = loadConfig({});
    expect(config.instances).toEqual({ heartbeatSeconds: 5, deadAfterSeconds: 15 });
    expect(config.sweep).toMatchObject({ jobExpireSeconds: 900, pollingSeconds: 2 });
    expect(loadConfig({ INSTANCE_HEARTBEAT_SECONDS: "0.2", INSTANCE_DEAD_AFTER_SECONDS: "1", SWEEP_POLLING_SECONDS: "0.5" })).toMatchObject({
      instances: { heartbeatSeconds: 0.2, deadAfterSeconds: 1 }, sweep: { pollingSeconds: 0.5 },
    });
    expect(() => loadConfig({ INSTANCE_HEARTBEAT_SECONDS: "10" })).toThrow(/INSTANCE_DEAD_AFTER_SECONDS/);
    expect(() => loadConfig({ SWEEP_POLLING_SECONDS: "0.1" })).toThrow(/SWEEP_POLLING_SECONDS/);
  });

  it("takes SWEEP_CONCURRENCY=0 (an instance for people, another works the sweeps) only with a PostgreSQL database", () => {
    expect(loadConfig({ SWEEP_CONCURRENCY: "0", DATABASE_URL: "postgres://db/irc" }).sweep.concurrency).toBe(0);
    expect(() => loadConfig({ SWEEP_CONCURRENCY: "0" })).toThrow(/SWEEP_CONCURRENCY: 0 needs DATABASE_URL/);
    expect(() => loadConfig({ SWEEP_CONCURRENCY: "-1", DATABASE_URL: "postgres://db/irc" })).toThrow(/SWEEP_CONCURRENCY/);
  });

  it("parses boolean flags strictly", () => {
    expect(loadConfig({ LOG_PAYLOADS: "true" }).logPayloads).toBe(true);
    expect(() => loadConfig({ LOG_PAYLOADS: "maybe" })).toThrow(/LOG_PAYLOADS/);
  });
});
