/**
 * Single sign-on against a fake identity provider speaking the real protocol (test/helpers): the
 * code flow with PKCE, state and nonce; the ID token verified (signature, issuer, audience,
 * expiry, nonce) and refused when any is wrong; users matched by subject or name, or created when
 * their claim maps to a role; a callback not started in this browser refused; all audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createUser, findUser } from "../../src/console/users.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import type { App } from "../../src/server/app.js";
import { buildTestApp } from "../helpers/app.js";
import { ConsoleClient } from "../helpers/console-client.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";
import { FakeOidcProvider } from "../helpers/fake-oidc-provider.js";

const CALLBACK = "http://console.clinic.test/sign-in/oidc/callback";

describe("OIDC settings", () => {
  it("are off without OIDC_ISSUER, parse the role map, and refuse a bad one or a missing client id", () => {
    expect(loadConfig({}).console.oidc).toBeNull();
    const config = loadConfig({ OIDC_ISSUER: "https://id.example", OIDC_CLIENT_ID: "rcm", OIDC_ROLE_MAP: "rcm-staff:staff, rcm-council:council,a:b:admin" });
    expect(config.console.oidc).toMatchObject({ issuer: "https://id.example", clientId: "rcm", roleClaim: "groups", autoCreate: false, scopes: "openid profile email",
      roleMap: { "rcm-staff": "staff", "rcm-council": "council", "a:b": "admin" } });
    expect(() => loadConfig({ OIDC_ISSUER: "https://id.example", OIDC_CLIENT_ID: "rcm", OIDC_ROLE_MAP: "x:boss" })).toThrow(/OIDC_ROLE_MAP/);
    expect(() => loadConfig({ OIDC_ISSUER: "https://id.example" })).toThrow(/OIDC_CLIENT_ID/);
    expect(() => loadConfig({ OIDC_ISSUER: "not a url", OIDC_CLIENT_ID: "rcm" })).toThrow(/OIDC_ISSUER/);
  });
});

describe.each(DATABASE_KINDS)("single sign-on with OpenID Connect (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  const idp = new FakeOidcProvider({ id: "infusion-rcm", secret: "s3cret:with/odd chars" });

  beforeAll(async () => {
    await idp.start();
    tdb = await createTestDatabase(kind);
    ({ app } = await buildTestApp(tdb.db, {
      OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.client.id, OIDC_CLIENT_SECRET: idp.client.secret, OIDC_REDIRECT_URL: CALLBACK,
      OIDC_PROVIDER_NAME: "Clinic ID", OIDC_ROLE_CLAIM: "groups", OIDC_ROLE_MAP: "rcm-staff:staff,rcm-council:council,rcm-admin:admin", OIDC_AUTO_CREATE: "true",
    }));
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
    await idp.stop();
  });

  /** The browser's round trip: our start → the provider's /authorize → back to our callback. */
  async function roundTrip(client: ConsoleClient, next = "/") {
    const start = await client.get(`/sign-in/oidc?next=${encodeURIComponent(next)}`);
    expect(start.status).toBe(303);
    const authorize = await fetch(start.location ?? "", { redirect: "manual" });
    expect(authorize.status).toBe(302);
    const back = new URL(authorize.headers.get("location") ?? "");
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    return { callback: `${back.pathname}${back.search}`, authorizeUrl: new URL(start.location ?? "") };
  }

  it("offers the provider on the sign-in page and sends the browser there with PKCE S256, state and nonce", async () => {
    const client = new ConsoleClient(app);
    expect((await client.get("/sign-in")).body).toContain("Sign in with Clinic ID");
    const { authorizeUrl } = await roundTrip(client);
    const p = authorizeUrl.searchParams;
    expect(p.get("code_challenge_method")).toBe("S256");
    expect(p.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(p.get("state")).toMatch(/^[\w-]{43}$/);
    expect(p.get("nonce")).toMatch(/^[\w-]{43}$/);
    expect(p.get("redirect_uri")).toBe(CALLBACK);
    expect(client.cookies.has("irc_oidc")).toBe(true);
  });

  it("creates a user whose claim maps to a role, signs them in, and audits it", async () => {
    idp.signInAs = { sub: "sub-nurse", claims: { preferred_username: "Nina.Nurse", name: "Nina Nurse", groups: ["rcm-staff", "unrelated"] } };
    const client = new ConsoleClient(app);
    const { callback } = await roundTrip(client, "/account/password");
    const done = await client.get(callback);
    expect(done.status).toBe(200);
    expect(done.body).toContain('href="/account/password"');
    expect(client.cookies.has("irc_session")).toBe(true);
    expect(client.cookies.has("irc_oidc")).toBe(false);
    expect((await client.get("/")).body).toContain("Nina Nurse");
    const user = await findUser(tdb.db.pool, "nina.nurse");
    expect(user).toMatchObject({ role: "staff", oidcSubject: "sub-nurse", hasPassword: false });
    const [created] = await queryAudit(tdb.db.pool, { kind: "user.created", subjectId: user!.id });
    expect(created?.actor).toBe(`oidc:${idp.issuer}`);
    const [signedIn] = await queryAudit(tdb.db.pool, { kind: "user.signed_in", subjectId: user!.id });
    expect(signedIn?.payload).toMatchObject({ method: "oidc", subject: "sub-nurse" });
    // The second time, the same user by subject, whatever the name says now.
    idp.signInAs = { sub: "sub-nurse", claims: { preferred_username: "renamed", groups: [] } };
    const again = new ConsoleClient(app);
    await again.get((await roundTrip(again)).callback);
    expect(again.cookies.has("irc_session")).toBe(true);
    expect(await findUser(tdb.db.pool, "renamed")).toBeUndefined();
  });

  it("links a pre-created user by name, and refuses someone with neither a user nor a mapped role", async () => {
    await createUser(tdb.db.pool, { username: "dr.who@clinic.test", role: "council", createdBy: "test" });
    idp.signInAs = { sub: "sub-doctor", claims: { email: "Dr.Who@clinic.test", email_verified: true } };
    const client = new ConsoleClient(app);
    await client.get((await roundTrip(client)).callback);
    expect(await findUser(tdb.db.pool, "dr.who@clinic.test")).toMatchObject({ role: "council", oidcSubject: "sub-doctor" });

    // An email the provider does not say is verified links nobody.
    await createUser(tdb.db.pool, { username: "ceo@clinic.test", role: "admin", createdBy: "test" });
    idp.signInAs = { sub: "sub-impostor", claims: { email: "ceo@clinic.test" } };
    const impostor = new ConsoleClient(app);
    expect((await impostor.get((await roundTrip(impostor)).callback)).status).toBe(403);
    expect((await findUser(tdb.db.pool, "ceo@clinic.test"))?.oidcSubject).toBeNull();

    idp.signInAs = { sub: "sub-visitor", claims: { preferred_username: "visitor", groups: ["guests"] } };
    const stranger = new ConsoleClient(app);
    const refused = await stranger.get((await roundTrip(stranger)).callback);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("no console account for you");
    expect(stranger.cookies.has("irc_session")).toBe(false);
    expect(await findUser(tdb.db.pool, "visitor")).toBeUndefined();
    const reasons = (await queryAudit(tdb.db.pool, { kind: "user.sign_in_refused" })).map((e) => e.payload as { method?: string; reason: string });
    expect(reasons).toContainEqual(expect.objectContaining({ method: "oidc", reason: "no-user" }));
  });

  it("refuses a disabled user", async () => {
    idp.signInAs = { sub: "sub-gone", claims: { preferred_username: "gone", groups: ["rcm-admin"] } };
    const first = new ConsoleClient(app);
    await first.get((await roundTrip(first)).callback);
    await tdb.db.pool.query("UPDATE users SET disabled_at = now() WHERE username = 'gone'");
    const client = new ConsoleClient(app);
    const refused = await client.get((await roundTrip(client)).callback);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("disabled");
  });

  for (const tamper of ["signature", "nonce", "audience", "expired", "issuer", "alg-none"] as const) {
    it(`refuses an ID token with a wrong ${tamper}`, async () => {
      idp.signInAs = { sub: "sub-nurse", claims: {} };
      idp.tamper = tamper;
      try {
        const client = new ConsoleClient(app);
        const refused = await client.get((await roundTrip(client)).callback);
        expect(refused.status).toBe(401);
        expect(refused.body).toContain("could not be verified");
        expect(client.cookies.has("irc_session")).toBe(false);
      } finally {
        idp.tamper = undefined;
      }
    });
  }

  it("refuses a callback in another browser (login CSRF), a forged state, and the same callback twice", async () => {
    idp.signInAs = { sub: "sub-nurse", claims: {} };
    const victim = new ConsoleClient(app);
    const attacker = new ConsoleClient(app);
    const { callback } = await roundTrip(attacker);
    const refused = await victim.get(callback);
    expect(refused.status).toBe(400);
    expect(refused.body).toContain("not started in this browser");
    expect(victim.cookies.has("irc_session")).toBe(false);

    const client = new ConsoleClient(app);
    const trip = await roundTrip(client);
    const forged = trip.callback.replace(/state=[^&]+/, "state=forged");
    expect((await client.get(forged)).status).toBe(400);
    // The cookie went with the first use: the genuine callback after it fails too.
    expect((await client.get(trip.callback)).status).toBe(400);
    expect(client.cookies.has("irc_session")).toBe(false);
  });

  it("shows the provider's refusal (error=access_denied) as a sign-in page, not a 500", async () => {
    const client = new ConsoleClient(app);
    await roundTrip(client);
    const refused = await client.get("/sign-in/oidc/callback?error=access_denied&state=x");
    expect(refused.status).toBe(401);
    expect(refused.body).toContain("did not sign you in (access_denied)");
  });
});
