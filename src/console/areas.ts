/** The console's areas, in navigation order. A new agent's views are a new area here. */
import type { ConsoleArea } from "./frame.js";
import { accountPages } from "./pages/account.js";
import { homePages } from "./pages/home.js";
import { adminUsersPages } from "./pages/admin-users.js";
import { oidcPages } from "./pages/oidc.js";
import { inboxPages } from "./pages/inbox.js";
import { councilPages } from "./pages/council.js";
import { adminPages } from "./pages/admin.js";
import { scorecardPages } from "./pages/scorecard.js";
import { claimPages } from "./pages/claims.js";

export const CONSOLE_AREAS: ConsoleArea[] = [homePages, accountPages, oidcPages, inboxPages, claimPages, councilPages, scorecardPages, adminPages, adminUsersPages];
