// The deputy's device for a secret ballot (decision's vote, evaluation's rating), on top of blind.js.
//
// 1. Take a credential: make a random token, blind it, have it signed by the service as the logged-in
//    deputy (who is recorded as having received a ballot), unblind it. It is kept on this device only
//    (localStorage), per vote and key id. The service never sees the token before it is spent.
// 2. Cast: send the marks with the token's proof (or a printed code) to the anonymous route, WITHOUT
//    cookies (credentials: "omit"), with a receipt computed here from a secret this device chose, so
//    only this device can compute it. The receipt is kept here to check the published list later.
//
// Markup: <div id="ballot-app" data-scope="…" data-key-url="…" data-credential-url="…" data-cast-url="…"
//          data-published-url="…(optional, {round} replaced)"> with children marked data-role="…".
(function () {
  "use strict";
  const app = document.getElementById("ballot-app");
  if (!app || !window.ShishiBlind) return;
  const B = window.ShishiBlind;
  const cfg = app.dataset;
  const $ = (role) => app.querySelector(`[data-role="${role}"]`);
  const say = (role, text) => { const el = $(role); if (el) { el.textContent = text; el.hidden = !text; } };
  const stored = (key) => { try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; } };
  const keep = (key, value) => localStorage.setItem(key, JSON.stringify(value));
  const credentialSlot = `shishi-credential:${cfg.scope}`;
  const receiptSlot = `shishi-receipts:${cfg.scope}`;
  const text = (key) => (app.dataset[`t${key}`] || key);

  // A refusal is written "中文 / English": show the half of the page's language (shared/web/refusals.py).
  const chinese = /[\u3400-\u9fff]/;
  function half(message) {
    const zh = (document.documentElement.lang || "zh").startsWith("zh");
    let at = message.indexOf(" / ");
    while (at >= 0) {
      const head = message.slice(0, at), tail = message.slice(at + 3);
      if (chinese.test(head) && /^[\x21-\x7e]/.test(tail) && /[a-z]/i.test(tail)) return zh ? head.trim() : tail.trim();
      at = message.indexOf(" / ", at + 3);
    }
    return message;
  }

  async function json(response) {
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(half(String(body.detail || body.title || response.statusText)));
      error.reason = body.reason || "";
      throw error;
    }
    return body;
  }

  async function ballotKey() {
    // no cookie: the key is public and the same for every deputy, and the server must not be able to hand one
    // deputy a key of their own (it would recognise their ballot by it); the page shows its fingerprint to
    // compare with the one shown in the hall
    return json(await fetch(cfg.keyUrl, { credentials: "omit", cache: "no-store" }));
  }

  // -- 1. the credential ----------------------------------------------------------------------
  async function credential(info, reissue) {
    const held = stored(credentialSlot);
    if (held && held.kid === info.kid && !reissue) return held;
    if (reissue) { // a new key for the vote: every unused credential (this deputy's old one too) is void
      info = await json(await fetch(`${cfg.credentialUrl}/reissue`, { method: "POST", credentials: "same-origin" }));
    }
    for (let attempt = 0; ; attempt++) {
      const token = crypto.getRandomValues(new Uint8Array(32));
      const msg = await B.prepare(token);
      const { blindedMsg, inv } = await B.blind(info.jwk, msg);
      let signed;
      try {
        signed = await json(await fetch(cfg.credentialUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ blinded: B.base64url.encode(blindedMsg), kid: info.kid }),
        }));
      } catch (e) {
        if (e.reason !== "stale_key" || attempt > 0) throw e;
        info = await ballotKey(); // the key changed since the page loaded: blind again for the new one
        continue;
      }
      const sig = await B.finalize(info.jwk, msg, B.base64url.decode(signed.blind_sig), inv);
      const mine = { kid: info.kid, msg: B.base64url.encode(msg), sig: B.base64url.encode(sig) };
      keep(credentialSlot, mine);
      return mine;
    }
  }

  // -- 2. the receipt and the cast ------------------------------------------------------------
  const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  function base32(bytes) {
    let bits = 0, value = 0, out = "";
    for (const byte of bytes) {
      value = (value << 8) | byte; bits += 8;
      while (bits >= 5) { out += BASE32[(value >>> (bits - 5)) & 31]; bits -= 5; }
    }
    return out;
  }
  async function receiptOf(box, spent, secret) {
    const enc = new TextEncoder();
    const parts = [enc.encode("shishi-receipt\0"), enc.encode(box), enc.encode("\0"), spent, enc.encode("\0"), secret];
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
    const code = base32(digest).slice(0, 12);
    return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
  }

  async function cast(box, marks, held, code) {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const spent = held ? B.base64url.decode(held.msg) : new TextEncoder().encode(code);
    const receipt = await receiptOf(box, spent, secret);
    const body = { marks, receipt };
    if (held) body.proof = { msg: held.msg, sig: held.sig }; else body.code = code;
    await json(await fetch(cfg.castUrl, {
      method: "POST",
      credentials: "omit", // no login goes with a ballot
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }));
    const receipts = stored(receiptSlot) || [];
    receipts.push({ box, receipt, marks });
    keep(receiptSlot, receipts);
    return receipt;
  }

  // -- the page ------------------------------------------------------------------------------
  function marksOf(form) {
    const marks = {};
    for (const input of form.querySelectorAll("input[type=radio]:checked")) marks[input.name.slice(2)] = input.value;
    return marks;
  }

  async function start() {
    if (!cfg.keyUrl) return; // a page that only checks the published list
    let info;
    try { info = await ballotKey(); } catch (e) { say("problem", e.message); return; }
    const kid = await B.keyId(info.jwk);
    say("fingerprint", kid.slice(0, 16).toUpperCase().match(/.{4}/g).join("-"));
    let held = stored(credentialSlot);
    if (held && held.kid !== info.kid) held = null; // the key changed: unused credentials were revoked
    if (cfg.checkedIn === "yes" && !held) {
      try {
        held = await credential(info, false);
      } catch (e) {
        say("problem", e.message);
        if (e.reason === "already_issued") $("reissue").hidden = false;
      }
    }
    say("held", held ? text("Held") : "");
    const reissue = $("reissue");
    if (reissue) reissue.addEventListener("click", async () => {
      if (!confirm(text("ReissueConfirm"))) return;
      try { held = await credential(await ballotKey(), true); reissue.hidden = true; say("problem", ""); say("held", text("Held")); }
      catch (e) { say("problem", e.message); }
    });
    const form = $("form");
    if (!form) return;
    const review = $("review"), confirmBox = $("confirm"), summary = $("summary");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      summary.replaceChildren();
      for (const fieldset of form.querySelectorAll("fieldset[data-item]")) {
        const chosen = fieldset.querySelector("input:checked");
        const row = document.createElement("li");
        row.textContent = `${fieldset.dataset.label}：${chosen ? chosen.dataset.label : "—"}`;
        summary.appendChild(row);
      }
      confirmBox.hidden = false;
      confirmBox.scrollIntoView();
    });
    $("back").addEventListener("click", () => { confirmBox.hidden = true; review.scrollIntoView(); });
    $("cast").addEventListener("click", async () => {
      const code = ($("code") && $("code").value.trim()) || "";
      if (!held && !code) { say("problem", text("NoCredential")); return; }
      $("cast").disabled = true;
      try {
        let receipt;
        try {
          receipt = await cast(info.box_id, marksOf(form), code ? null : held, code);
        } catch (e) {
          // the vote moved to a new key since this page loaded (a deputy took their ballot on another
          // device): take this device's credential again under the new key and cast once more
          if (code || e.reason !== "invalid_credential") throw e;
          info = await ballotKey();
          if (held && held.kid === info.kid) throw e;
          held = await credential(info, false);
          receipt = await cast(info.box_id, marksOf(form), held, "");
        }
        form.hidden = true; confirmBox.hidden = true;
        say("receipt", receipt); $("done").hidden = false; say("problem", "");
      } catch (e) {
        say("problem", e.message); $("cast").disabled = false;
      }
    });
  }

  const canonical = (marks) => JSON.stringify(Object.keys(marks || {}).sort().map((k) => [k, marks[k]]));

  async function checkPublished() {
    const box = $("published-check");
    if (!box || !cfg.publishedUrl) return;
    const mine = stored(receiptSlot) || [];
    if (!mine.length) return;
    try {
      const published = await json(await fetch(cfg.publishedUrl, { credentials: "same-origin", cache: "no-store" }));
      const list = [published.ballots, published.published, published.items].find(Array.isArray) || [];
      const found = new Map(list.map((b) => [b.receipt, b.marks]));
      const lines = mine.filter((m) => found.has(m.receipt)).map((m) => {
        const same = canonical(found.get(m.receipt)) === canonical(m.marks);
        return `${m.receipt}：${same ? text("Found") : text("Changed")}`;
      });
      say("published-check", lines.join("；"));
    } catch (e) { /* not published yet */ }
  }

  window.ShishiBallot = { credential, cast, receiptOf, ballotKey };
  start();
  checkPublished();
})();
