// A real OpenID provider (the npm package oidc-provider) for the sign-in tests (issue 16,
// item 6). The tests start it on 127.0.0.1 with the signing key they generated, set who signs
// in next through /test/*, and drive the code flow through it as a browser would. There is no
// login form: the interaction completes at once as the account the test chose.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const setup = JSON.parse(readFileSync(process.env.PROVIDER_SETUP, "utf8"));

const accounts = new Map(); // sub -> claims
let next = { account: null, amr: ["pwd"] };

const provider = new Provider(issuer, {
  clients: setup.clients,
  jwks: { keys: setup.keys },
  cookies: { keys: [setup.cookieKey] },
  // Microsoft and Google put the email claims in the ID token itself, so does this provider.
  conformIdTokenClaims: false,
  // amr with the openid scope, as Entra ID sends it (["pwd", "mfa"] after multi-factor).
  claims: {
    acr: null, auth_time: null, sid: null, iss: null,
    openid: ["sub", "amr"], email: ["email", "email_verified", "xms_edov"], profile: ["name"],
  },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const claims = accounts.get(id);
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
});

async function body(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

provider.use(async (ctx, nextMiddleware) => {
  if (ctx.method === "POST" && ctx.path === "/test/account") {
    const { sub, ...claims } = await body(ctx);
    accounts.set(sub, claims);
    ctx.body = { ok: true };
    return;
  }
  if (ctx.method === "POST" && ctx.path === "/test/next") {
    next = await body(ctx);
    ctx.body = { ok: true };
    return;
  }
  if (ctx.method === "GET" && ctx.path.startsWith("/interaction/")) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (details.prompt.name === "login") {
      result = { login: { accountId: next.account, amr: next.amr } };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      grant.addOIDCScope("openid email profile");
      result = { consent: { grantId: await grant.save() } };
    }
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
    return;
  }
  await nextMiddleware();
});

provider.listen(port, "127.0.0.1", () => {
  process.stdout.write(`listening ${issuer}\n`);
});
