# n8n's owner account through n8n's own REST API (what its setup page and login form call), run
# INSIDE the n8n container with the node of its image against 127.0.0.1:5678: never its database.
# The password arrives on stdin, base64 (one line), and goes to n8n in a request body: never argv.
#
#   $1  check: exit 0 when /rest/settings says the owner is set up (n8n 2.x:
#       userManagement.showSetupOnFirstLoad false; 1.x called it showSetupPage); else one line
#       `n8n: ...` saying why, exit 1
#       setup: POST /rest/owner/setup with $2 e-mail, $3 first name, $4 last name and the password
#       on stdin; an owner that already exists (n8n answers 400 "already setup") is not an error
#       login: POST /rest/login as $2 (e-mail) with the password on stdin; prints `ok` or why not
#   $2  owner e-mail (setup, login)
#   $3  owner first name (setup)
#   $4  owner last name (setup)
# Exit 3: no node in the container (not n8n's image). setup and login give n8n up to 60 s to
# answer (its API may still be starting); check asks once, so a plan never waits on it.
command -v node >/dev/null 2>&1 || { echo 'n8n: no node in the container'; exit 3; }
# shellcheck disable=SC2016 # JavaScript, not shell: no expansion wanted
js='
const [mode, email, firstName, lastName] = process.argv.slice(1);
const base = "http://127.0.0.1:5678";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (line, code) => { process.stdout.write(line + "\n"); process.exit(code); };
const password = () => Buffer.from(require("fs").readFileSync(0, "utf8").trim(), "base64").toString("utf8");
async function call(method, path, body) {
  let last = "";
  const tries = mode === "check" ? 1 : 30;
  for (let i = 0; i < tries; i++) {
    try {
      const r = await fetch(base + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      if (r.status < 500) return { status: r.status, text };
      last = "status " + r.status;
    } catch (e) { last = String(e && e.cause ? e.cause.code || e.cause : e); }
    if (i + 1 < tries) await sleep(2000);
  }
  say("n8n: " + path + " did not answer" + (tries > 1 ? " in 60 s" : "") + " (" + last + ")", 1);
}
const message = (text) => { try { const j = JSON.parse(text); return String(j.message || text); } catch { return text.slice(0, 160); } };
(async () => {
  if (mode === "check") {
    const r = await call("GET", "/rest/settings");
    let um;
    try { um = JSON.parse(r.text).data.userManagement; } catch { um = undefined; }
    if (!um) say("n8n: /rest/settings gave no userManagement (status " + r.status + ")", 1);
    const setup = "showSetupOnFirstLoad" in um ? um.showSetupOnFirstLoad : um.showSetupPage;
    if (setup === false) say("ok", 0);
    say("n8n: owner account not set up (n8n shows its setup page)", 1);
  } else if (mode === "setup") {
    const r = await call("POST", "/rest/owner/setup", { email, firstName, lastName, password: password() });
    if (r.status === 200) say("owner " + email + " set up", 0);
    if (r.status === 400 && /already/i.test(r.text)) say("n8n already has an owner", 0);
    say("n8n refused the owner setup: " + r.status + " " + message(r.text), 1);
  } else if (mode === "login") {
    const r = await call("POST", "/rest/login", { emailOrLdapLoginId: email, password: password() });
    if (r.status === 200) say("ok", 0);
    say("n8n refused the login of " + email + ": " + r.status + " " + message(r.text), 1);
  } else say("n8n-owner: unknown mode " + mode, 2);
})();
'
exec node -e "$js" "$@"
