/* "Read from my USB token" on the page "My certificates" (signing:certificates).
 *
 * Asks the local signing agent (egov sign-agent, egov.signing.agent: GET /v1/certificates) for
 * the certificates that have a key on the token, lists them, and registers the chosen one with
 * POST /api/v1/signing/certificates {"der": base64} (session + CSRF). The agent URL comes from
 * settings.EGOV_SIGN_AGENT_URL through data-agent-url. Texts come from the page (<template
 * id="token-texts">), so they are translated like the rest of the page.
 */
(function () {
  "use strict";

  function texts() {
    var out = {};
    var tpl = document.getElementById("token-texts");
    if (!tpl) { return out; }
    tpl.content.querySelectorAll("[data-text]").forEach(function (el) {
      out[el.getAttribute("data-text")] = el.textContent;
    });
    return out;
  }

  function formatDate(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return iso || ""; }
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    // dd/mm/yyyy in Vietnam time (UTC+7, no daylight saving).
    var vn = new Date(d.getTime() + 7 * 3600 * 1000);
    return pad(vn.getUTCDate()) + "/" + pad(vn.getUTCMonth() + 1) + "/" + vn.getUTCFullYear();
  }

  function init(panel) {
    var T = texts();
    var agentUrl = (panel.getAttribute("data-agent-url") || "").replace(/\/+$/, "");
    var registerUrl = panel.getAttribute("data-register-url");
    var pageUrl = panel.getAttribute("data-page-url");
    var registered = (panel.getAttribute("data-registered") || "").split(/\s+/).filter(Boolean);
    var button = panel.querySelector("[data-action='token-read']");
    var status = panel.querySelector("#token-status");
    var list = panel.querySelector("[data-testid='token-certificates']");
    var csrfInput = panel.querySelector("input[name='csrfmiddlewaretoken']");
    var csrf = csrfInput ? csrfInput.value : "";

    function say(text, kind) {
      status.textContent = text;
      status.setAttribute("data-kind", kind || "info");
      status.classList.toggle("field-error", kind === "error");
    }

    function register(cert, btn, note) {
      btn.disabled = true;
      note.textContent = T.registering || "";
      fetch(registerUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf,
                  "Accept": "application/json"},
        body: JSON.stringify({der: cert.der})
      }).then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (body) {
          if (resp.status === 201) {
            window.location.assign(pageUrl + "?registered=" + encodeURIComponent(body.id));
            return;
          }
          var msgs = [];
          if (body && body.fields) {
            Object.keys(body.fields).forEach(function (k) { msgs = msgs.concat(body.fields[k]); });
          }
          note.textContent = (body && body.message) || T.failed || "";
          if (msgs.length && msgs.join(" ") !== note.textContent) {
            note.textContent += " " + msgs.join(" ");
          }
          note.classList.add("field-error");
          btn.disabled = false;
        });
      }).catch(function () {
        note.textContent = T.failed || "";
        note.classList.add("field-error");
        btn.disabled = false;
      });
    }

    function show(certs) {
      list.innerHTML = "";
      certs.forEach(function (cert) {
        var li = document.createElement("li");
        li.setAttribute("data-sha256", cert.sha256 || "");
        var info = document.createElement("div");
        info.className = "token-cert";
        var subject = document.createElement("strong");
        subject.textContent = cert.subject || cert.label || "";
        var meta = document.createElement("div");
        meta.className = "cert-meta";
        meta.textContent = (T.issuer || "Issuer") + ": " + (cert.issuer || "") + " · " +
          (T["valid-to"] || "Valid to") + ": " + formatDate(cert.not_after);
        var note = document.createElement("p");
        note.className = "form-hint";
        note.setAttribute("role", "status");
        info.appendChild(subject);
        info.appendChild(meta);
        info.appendChild(note);
        li.appendChild(info);
        if (registered.indexOf((cert.sha256 || "").toLowerCase()) >= 0) {
          var done = document.createElement("span");
          done.className = "badge badge--ok";
          done.textContent = T.registered || "";
          li.appendChild(done);
        } else {
          var btn = document.createElement("button");
          btn.type = "button";
          btn.className = "button button--small";
          btn.setAttribute("data-action", "token-register");
          btn.textContent = T.register || "Register";
          btn.setAttribute("aria-label", (T.register || "Register") + ": " + subject.textContent);
          btn.addEventListener("click", function () { register(cert, btn, note); });
          li.appendChild(btn);
        }
        list.appendChild(li);
      });
      list.hidden = certs.length === 0;
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      list.hidden = true;
      say(T.reading || "", "info");
      fetch(agentUrl + "/v1/certificates", {method: "GET", mode: "cors", credentials: "omit",
                                            cache: "no-store"})
        .then(function (resp) {
          if (resp.status === 403) { say(T.refused || "", "error"); return null; }
          if (!resp.ok) { say(T["agent-error"] || "", "error"); return null; }
          return resp.json();
        })
        .then(function (body) {
          if (!body) { return; }
          var certs = (body.certificates || []).filter(function (c) { return c && c.der; });
          if (!certs.length) { say(T.none || "", "info"); show([]); return; }
          say(T.found || "", "info");
          show(certs);
        })
        .catch(function () {
          // Connection refused / no agent / CORS refusal without headers: the agent is not there.
          say(T["no-agent"] || "", "error");
        })
        .then(function () { button.disabled = false; });
    });
  }

  function start() {
    var panel = document.getElementById("token-panel");
    if (panel) { init(panel); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
