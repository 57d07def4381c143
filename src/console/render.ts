/**
 * Server-rendered pages: Eta templates under `src/console/views`, escaped by default (`<%= %>`;
 * `<%~ %>` only for HTML the code built itself). Each page is its view rendered into
 * `layout.eta`, which draws the header, the navigation the person's role may use, and the
 * CSRF token htmx sends with every request it makes (`hx-headers` on the body: no inline script).
 */
import path from "node:path";
import { Eta } from "eta";
import { projectRoot } from "../project-root.js";
import type { ConsoleSession } from "./sessions.js";
import type { UserRole } from "./users.js";

/** The folder of the console's templates. */
export function viewsDir(): string {
  return path.join(projectRoot(), "src", "console", "views");
}

/** An entry of the navigation: shown to the roles that may open it. */
export interface NavItem {
  href: string;
  label: string;
  roles: readonly UserRole[];
  /** Group heading in the navigation (Work, Council, Admin, Leadership). */
  group: string;
}

/** What every page's template can read besides its own data (`it.page`). */
export interface PageFrame {
  title: string;
  session: ConsoleSession | null;
  csrfToken: string;
  nav: NavItem[];
  /** The path of the current page, to mark its navigation entry. */
  path: string;
  /** A one-line notice shown on top (after an action). */
  flash?: { kind: "ok" | "error"; text: string } | undefined;
}

export class ConsoleRenderer {
  private readonly eta: Eta;

  constructor(private readonly navItems: NavItem[], options: { cache: boolean }) {
    this.eta = new Eta({ views: viewsDir(), autoEscape: true, autoTrim: false, cache: options.cache, useWith: false });
  }

  /** The navigation a role sees, in declaration order. */
  navFor(role: UserRole | undefined): NavItem[] {
    return role === undefined ? [] : this.navItems.filter((item) => item.roles.includes(role));
  }

  /** Renders a view inside the layout. */
  page(view: string, frame: Omit<PageFrame, "nav">, data: object): string {
    const full: PageFrame = { ...frame, nav: this.navFor(frame.session?.user.role) };
    const body = this.eta.render(view, { ...data, frame: full });
    return this.eta.render("layout", { frame: full, body });
  }

  /** Renders a view alone (an htmx fragment). */
  fragment(view: string, data: object): string {
    return this.eta.render(view, data);
  }
}
