// After single sign-on: open the next page from this site's own page, so the session cookie
// (SameSite=Strict) goes with it; the redirect from the identity provider would not carry it.
"use strict";
(function () {
  var link = document.getElementById("continue");
  if (link !== null) window.location.replace(link.getAttribute("href"));
})();
