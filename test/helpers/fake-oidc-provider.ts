/**
 * A fake OpenID Connect provider (an edge we do not own), speaking the real protocol on a local
 * port: discovery, `/authorize` (redirects back with a code, as if the person signed in as
 * `signInAs`), `/token` (checks the client's secret, the redirect URI and the PKCE verifier, then
 * signs an RS256 ID token with a generated key) and `/jwks`. `tamper` makes the next ID token
 * wrong in one way, to see it refused.
 */
import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeLogin {
  sub: string;
  claims?: Record<string, unknown>;
}

export type Tamper = "signature" | "nonce" | "audience" | "expired" | "issuer" | "alg-none" | undefined;

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string;
  login: FakeLogin;
}

export class FakeOidcProvider {
  issuer = "";
  signInAs: FakeLogin = { sub: "subject-1" };
  tamper: Tamper;
  /** Token requests answered, and why any was refused. */
  readonly tokenRequests: { ok: boolean; error?: string }[] = [];
  private server: Server | undefined;
  private readonly codes = new Map<string, IssuedCode>();
  private readonly key = generateKeyPairSync("rsa", { modulusLength: 2048 });
  private readonly otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
  private readonly kid = randomBytes(6).toString("hex");

  constructor(readonly client: { id: string; secret: string }) {}

  async start(host = "127.0.0.1"): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req.method ?? "GET", new URL(req.url ?? "/", this.issuer), req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, host, resolve));
    this.issuer = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.issuer;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(method: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(200, {
        issuer: this.issuer, authorization_endpoint: `${this.issuer}/authorize`, token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`, response_types_supported: ["code"], subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"], code_challenge_methods_supported: ["S256"],
      });
    }
    if (url.pathname === "/jwks") {
      return json(200, { keys: [{ ...this.key.publicKey.export({ format: "jwk" }), kid: this.kid, use: "sig", alg: "RS256" }] });
    }
    if (url.pathname === "/authorize" && method === "GET") {
      const p = url.searchParams;
      if (p.get("response_type") !== "code" || p.get("client_id") !== this.client.id || p.get("code_challenge_method") !== "S256"
        || !(p.get("scope") ?? "").split(" ").includes("openid") || p.get("state") === null || p.get("nonce") === null || p.get("code_challenge") === null) {
        return json(400, { error: "invalid_request" });
      }
      const code = randomBytes(16).toString("base64url");
      this.codes.set(code, { clientId: this.client.id, redirectUri: p.get("redirect_uri") ?? "", challenge: p.get("code_challenge") ?? "", nonce: p.get("nonce") ?? "", login: this.signInAs });
      const back = new URL(p.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", p.get("state") ?? "");
      res.writeHead(302, { location: back.toString() });
      res.end();
      return;
    }
    if (url.pathname === "/token" && method === "POST") {
      let text = "";
      for await (const chunk of req) text += String(chunk);
      const form = new URLSearchParams(text);
      const refuse = (error: string) => {
        this.tokenRequests.push({ ok: false, error });
        return json(400, { error });
      };
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const [id, secret] = Buffer.from(basic ?? "", "base64").toString("utf8").split(":").map(decodeURIComponent);
      if (id !== this.client.id || secret !== this.client.secret) return refuse("invalid_client");
      const code = this.codes.get(form.get("code") ?? "");
      this.codes.delete(form.get("code") ?? "");
      if (code === undefined || form.get("grant_type") !== "authorization_code") return refuse("invalid_grant");
      if (form.get("redirect_uri") !== code.redirectUri) return refuse("invalid_grant: redirect_uri");
      const challenge = createHash("sha256").update(form.get("code_verifier") ?? "").digest("base64url");
      if (challenge !== code.challenge) return refuse("invalid_grant: code_verifier");
      this.tokenRequests.push({ ok: true });
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: this.tamper === "issuer" ? "https://evil.example" : this.issuer,
        aud: this.tamper === "audience" ? "another-client" : this.client.id,
        sub: code.login.sub, iat: now, exp: this.tamper === "expired" ? now - 600 : now + 300,
        nonce: this.tamper === "nonce" ? "not-the-nonce" : code.nonce,
        ...code.login.claims,
      };
      const idToken = this.sign(claims, this.tamper === "signature" ? this.otherKey.privateKey : this.key.privateKey);
      return json(200, { access_token: "at", token_type: "Bearer", expires_in: 300, id_token: idToken });
    }
    json(404, { error: "not_found" });
  }

  private sign(claims: Record<string, unknown>, key: KeyObject): string {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    if (this.tamper === "alg-none") return `${enc({ alg: "none", typ: "JWT" })}.${enc(claims)}.`;
    const input = `${enc({ alg: "RS256", typ: "JWT", kid: this.kid })}.${enc(claims)}`;
    return `${input}.${createSign("RSA-SHA256").update(input).sign(key).toString("base64url")}`;
  }
}
