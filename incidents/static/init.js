// Initialises GOV.UK Frontend's JavaScript without inline code (our CSP
// forbids inline scripts). Load with:
//   <script type="module" src="/static/init.js"></script>
import { initAll } from "./govuk/govuk-frontend.min.js";

// initAll() does nothing unless <body> has "govuk-frontend-supported". The base
// template's nonce'd inline script normally adds it; a browser running this
// module supports ES modules, so add it here too in case that script was blocked.
document.body.classList.add("js-enabled", "govuk-frontend-supported");

initAll();
