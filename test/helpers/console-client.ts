/**
 * A console visitor without a browser: `app.inject` with a cookie jar, the CSRF token read from
 * the page's forms, and a client address of its own (for the per-address throttles).
 */
import type { App } from "../../src/server/app.js";

export interface ConsolePage {
  status: number;
  body: string;
  location: string | undefined;
  headers: Record<string, unknown>;
}

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  private csrf = "";

  constructor(private readonly app: App, readonly address = "127.0.0.1") {}

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private absorb(response: { cookies: { name: string; value: string; expires?: Date; maxAge?: number }[]; body: string }): void {
    for (const c of response.cookies) {
      const cleared = c.value === "" || c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() < Date.now());
      if (cleared) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token !== undefined) this.csrf = token;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<ConsolePage> {
    const response = await this.app.inject({ method: "GET", url, remoteAddress: this.address, headers: { cookie: this.cookieHeader(), ...headers } });
    this.absorb(response);
    return { status: response.statusCode, body: response.body, location: response.headers.location as string | undefined, headers: response.headers };
  }

  /** Posts a form with the CSRF token of the last page read (a page is read first when none was). */
  async post(url: string, form: Record<string, string>, options: { csrf?: boolean } = {}): Promise<ConsolePage> {
    if (this.csrf === "" && options.csrf !== false) await this.get("/sign-in");
    const body = new URLSearchParams({ ...form, ...(options.csrf === false ? {} : { _csrf: this.csrf }) }).toString();
    const response = await this.app.inject({
      method: "POST", url, remoteAddress: this.address, payload: body,
      headers: { cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
    });
    this.absorb(response);
    return { status: response.statusCode, body: response.body, location: response.headers.location as string | undefined, headers: response.headers };
  }

  async signIn(username: string, password: string, next?: string): Promise<ConsolePage> {
    await this.get("/sign-in");
    return this.post("/sign-in", { username, password, ...(next === undefined ? {} : { next }) });
  }
}
