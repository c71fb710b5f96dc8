/* "Sign with my USB token" (egov.signing.user_token; docs/sign-agent.md).
 *
 * 1. POST /api/v1/signing/sessions {"document_id"} (session cookie + X-CSRFToken) → the agent
 *    request with single-use download/upload URLs;
 * 2. POST it to the local signing agent ({agent_url}/v1/sign, JSON, CORS); the agent downloads,
 *    signs with the token, uploads, and answers {"status": 0, …} or an error status;
 * 3. on success reload the page (the document is now "signed").
 * Texts come from <template id="sign-token-texts">, translated with the page. No inline script
 * (CSP-friendly).
 */
(function () {
  "use strict";

  function texts() {
    var out = {};
    var tpl = document.getElementById("sign-token-texts");
    if (!tpl) { return out; }
    tpl.content.querySelectorAll("[data-text]").forEach(function (el) {
      out[el.getAttribute("data-text")] = el.textContent.trim();
    });
    return out;
  }

  function init(panel) {
    var T = texts();
    var button = panel.querySelector("[data-action='sign-token']");
    var status = panel.querySelector("[data-testid='sign-token-status']");
    var csrf = panel.querySelector("input[name='csrfmiddlewaretoken']");
    if (!button || !status) { return; }

    function show(text, kind) {
      status.textContent = text;
      status.className = "sign-token__status" + (kind ? " message message--" + kind : "");
      panel.setAttribute("data-state", kind || "working");
    }

    function fail(text) {
      show(text, "error");
      button.disabled = false;
    }

    function readJson(response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body || {} };
      });
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      show(T.preparing || "…");
      fetch(panel.getAttribute("data-session-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: JSON.stringify({ document_id: Number(panel.getAttribute("data-document-id")) })
      }).then(readJson).then(function (created) {
        if (!created.ok) {
          fail((T.error || "") + " " + (created.body.message || created.status));
          return;
        }
        var agentUrl = (created.body.agent_url || panel.getAttribute("data-agent-url") || "")
          .replace(/\/+$/, "");
        show(T.signing || "…");
        return fetch(agentUrl + "/v1/sign", {
          method: "POST",
          mode: "cors",
          credentials: "omit",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(created.body.agent_request)
        }).then(readJson, function () {
          fail(T.unreachable || "");
          return null;
        }).then(function (answer) {
          if (!answer) { return; }
          var body = answer.body;
          if (answer.ok && body.status === 0) {
            show(T.signed || "", "success");
            panel.setAttribute("data-state", "signed");
            window.setTimeout(function () { window.location.reload(); }, 800);
          } else if (body.status === 11) {
            fail(T.cancelled || "");
          } else if (body.status === 22) {
            var upload = body.upload || {};
            fail((T.refused || "") + " " + (upload.message || upload.Message || body.message || ""));
          } else {
            fail((T.failed || "") + " " + (body.message || answer.status));
          }
        });
      }).catch(function () {
        fail(T.error || "");
      });
    });
  }

  document.querySelectorAll("[data-sign-token]").forEach(init);
})();
