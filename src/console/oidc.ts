/**
 * Single sign-on with OpenID Connect (Core 1.0 §3.1, the authorization code flow), written on
 * `node:crypto` and `fetch`: discovery (§4 of Discovery 1.0; the issuer must match exactly), PKCE
 * with S256 (RFC 7636), `state` and `nonce`, the code exchanged at the token endpoint
 * (client_secret_basic, or a public client), and the ID token verified (§3.1.3.7): RS256
 * signature against the provider's JWKS (fetched again once for an unknown `kid`: key rotation),
 * `iss`, `aud` (and `azp` when several audiences), `exp` and `iat` with a minute of clock skew,
 * and `nonce`. Nothing of the token is trusted before all of these pass.
 */
import { createHash, createPublicKey, randomBytes, verify, type JsonWebKey, type KeyObject } from "node:crypto";
import { UpstreamError } from "../../tools/errors.js";
import type { OidcConfig } from "../config.js";

/** What sign-in needs of the provider's discovery document. */
interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

/** The claims of a verified ID token. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  [claim: string]: unknown;
}

/** Why an ID token (or the flow) was refused; the person sees a generic message, the log this. */
export class OidcError extends Error {}

const SKEW_SECONDS = 60;
const FETCH_TIMEOUT_MS = 10_000;

/** A random URL-safe value (state, nonce, PKCE verifier): 32 bytes. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/** PKCE S256 challenge of a verifier. */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

async function getJson(url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "error" });
  } catch (error) {
    throw new UpstreamError(`The identity provider did not answer (${new URL(url).host})`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) throw new UpstreamError(`The identity provider answered ${response.status} at ${new URL(url).pathname}`, { cause: text.slice(0, 500) });
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
    return value as Record<string, unknown>;
  } catch (error) {
    throw new UpstreamError(`The identity provider answered something other than JSON at ${new URL(url).pathname}`, { cause: error });
  }
}

/** The relying party: this service, at one provider. */
export class OidcClient {
  private metadata: Promise<ProviderMetadata> | undefined;
  private keys: Map<string, KeyObject> | undefined;

  constructor(readonly config: OidcConfig, private readonly now: () => number = Date.now) {}

  /** The provider's metadata (fetched once; again after a failure). */
  discover(): Promise<ProviderMetadata> {
    this.metadata ??= (async () => {
      const url = `${this.config.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
      const doc = await getJson(url);
      for (const field of ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
        if (typeof doc[field] !== "string") throw new UpstreamError(`The provider's discovery document has no ${field}`);
      }
      if (doc.issuer !== this.config.issuer) {
        throw new UpstreamError(`The provider calls itself ${String(doc.issuer)}, not OIDC_ISSUER ${this.config.issuer}`);
      }
      return doc as unknown as ProviderMetadata;
    })().catch((error: unknown) => {
      this.metadata = undefined;
      throw error;
    });
    return this.metadata;
  }

  /** Where to send the browser: the authorization endpoint with this sign-in's state, nonce and PKCE challenge. */
  async authorizationUrl(input: { redirectUri: string; state: string; nonce: string; codeVerifier: string }): Promise<string> {
    const metadata = await this.discover();
    const url = new URL(metadata.authorization_endpoint);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", this.config.clientId);
    url.searchParams.set("redirect_uri", input.redirectUri);
    url.searchParams.set("scope", this.config.scopes);
    url.searchParams.set("state", input.state);
    url.searchParams.set("nonce", input.nonce);
    url.searchParams.set("code_challenge", pkceChallenge(input.codeVerifier));
    url.searchParams.set("code_challenge_method", "S256");
    return url.toString();
  }

  /** Exchanges the code for tokens and returns the verified ID token's claims. */
  async finish(input: { code: string; redirectUri: string; codeVerifier: string; nonce: string }): Promise<IdTokenClaims> {
    const metadata = await this.discover();
    const body = new URLSearchParams({ grant_type: "authorization_code", code: input.code, redirect_uri: input.redirectUri, code_verifier: input.codeVerifier });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    if (this.config.clientSecret === undefined) {
      body.set("client_id", this.config.clientId);
    } else {
      // RFC 6749 §2.3.1: both parts form-encoded before base64.
      const id = encodeURIComponent(this.config.clientId);
      const secret = encodeURIComponent(this.config.clientSecret);
      headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
    }
    const tokens = await getJson(metadata.token_endpoint, { method: "POST", headers, body: body.toString() });
    if (typeof tokens.id_token !== "string") throw new OidcError("The token response has no id_token");
    return this.verifyIdToken(tokens.id_token, input.nonce);
  }

  private async keyFor(kid: string | undefined, refresh: boolean): Promise<KeyObject | undefined> {
    if (this.keys === undefined || refresh) {
      const metadata = await this.discover();
      const jwks = await getJson(metadata.jwks_uri);
      const keys = new Map<string, KeyObject>();
      for (const jwk of Array.isArray(jwks.keys) ? (jwks.keys as JsonWebKey[]) : []) {
        if (jwk.kty !== "RSA" || (jwk.use !== undefined && jwk.use !== "sig")) continue;
        try {
          keys.set(typeof jwk.kid === "string" ? jwk.kid : "", createPublicKey({ key: jwk, format: "jwk" }));
        } catch {
          // A key we cannot read cannot have signed anything we accept.
        }
      }
      this.keys = keys;
    }
    if (kid !== undefined) return this.keys.get(kid);
    // No kid: only unambiguous with a single key.
    return this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
  }

  /** Verifies an ID token (Core 1.0 §3.1.3.7) and returns its claims, or throws OidcError naming the check that failed. */
  async verifyIdToken(idToken: string, nonce: string): Promise<IdTokenClaims> {
    const parts = idToken.split(".");
    if (parts.length !== 3) throw new OidcError("The ID token is not a JWS compact serialization");
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    let header: { alg?: unknown; kid?: unknown };
    let claims: IdTokenClaims;
    try {
      header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8")) as typeof header;
      claims = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8")) as IdTokenClaims;
    } catch {
      throw new OidcError("The ID token's header or payload is not JSON");
    }
    if (header.alg !== "RS256") throw new OidcError(`The ID token is signed with ${String(header.alg)}; only RS256 is accepted`);
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const key = (await this.keyFor(kid, false)) ?? (await this.keyFor(kid, true));
    if (key === undefined) throw new OidcError(`No signing key ${kid ?? "(no kid)"} in the provider's JWKS`);
    const signed = verify("RSA-SHA256", Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, "base64url"));
    if (!signed) throw new OidcError("The ID token's signature does not verify");
    if (claims.iss !== this.config.issuer) throw new OidcError(`The ID token's issuer is ${String(claims.iss)}`);
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.config.clientId)) throw new OidcError("The ID token is not for this client (aud)");
    if (audiences.length > 1 && claims.azp !== this.config.clientId) throw new OidcError("The ID token has several audiences and another azp");
    const nowSeconds = this.now() / 1000;
    if (typeof claims.exp !== "number" || claims.exp + SKEW_SECONDS < nowSeconds) throw new OidcError("The ID token has expired");
    if (typeof claims.iat !== "number" || claims.iat - SKEW_SECONDS > nowSeconds) throw new OidcError("The ID token was issued in the future");
    if (claims.nonce !== nonce) throw new OidcError("The ID token's nonce is not this sign-in's");
    if (typeof claims.sub !== "string" || claims.sub === "" || claims.sub.length > 255) throw new OidcError("The ID token has no subject");
    return claims;
  }
}
