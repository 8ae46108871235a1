/* tenant-sandbox: the panel above each API's Swagger UI and its requestInterceptor.
 *
 * - "Sandbox": the X-Sandbox-Id every request of the page acts on (empty: the
 *   `default` sandbox). Kept in localStorage, so every API's UI uses the same one.
 *   A value typed into an operation's own X-Sandbox-Id parameter wins.
 * - A request signer, for an API whose requests need one (bizzlink.js): a script
 *   that calls tenantSandbox.registerSigner({api, title, fields, note, sign}).
 *   Its fields (token, secret...) stay in this page's memory only; sign(request,
 *   values) gets Swagger UI's request ({url, method, headers, body}) after the
 *   sandbox header is set and may change its headers (it may be async).
 */
(function () {
  "use strict";
  const STORE = "tenant-sandbox.sandboxId";
  const SANDBOX_HEADER = "X-Sandbox-Id";
  const signers = {};
  const values = {};
  let sandboxId = "";
  try { sandboxId = window.localStorage.getItem(STORE) || ""; } catch (e) { /* storage off */ }

  function findHeader(headers, name) {
    const lower = name.toLowerCase();
    return Object.keys(headers).find((k) => k.toLowerCase() === lower);
  }

  function setHeader(headers, name, value) {
    const existing = findHeader(headers, name);
    if (existing !== undefined && existing !== name) delete headers[existing];
    headers[name] = value;
  }

  function apiName() {
    const panel = document.getElementById("sandbox-panel");
    return panel ? panel.dataset.api : "";
  }

  async function requestInterceptor(request) {
    if (request.loadSpec) return request;   // fetching the spec itself
    request.headers = request.headers || {};
    const id = sandboxId.trim();
    const given = findHeader(request.headers, SANDBOX_HEADER);
    if (id && (given === undefined || request.headers[given] === "")) {
      setHeader(request.headers, SANDBOX_HEADER, id);
    }
    const signer = signers[apiName()];
    if (signer) {
      await signer.sign(request, values[signer.api]);
    }
    return request;
  }

  /* The chosen sandbox's clock (GET /_sandbox/clock: a frozen or moved clock), or
   * the browser's when the control plane does not answer (an admin token is set). */
  async function sandboxNow(url, headers) {
    const given = findHeader(headers, SANDBOX_HEADER);
    try {
      const response = await fetch(new URL("/_sandbox/clock", url), {
        headers: given === undefined ? {} : {[SANDBOX_HEADER]: headers[given]},
      });
      if (response.ok) {
        const now = Date.parse((await response.json()).now);
        if (!Number.isNaN(now)) return new Date(now);
      }
    } catch (e) { /* the browser's clock then */ }
    return new Date();
  }

  function registerSigner(signer) {
    signers[signer.api] = signer;
    values[signer.api] = {};
  }

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([k, v]) => node.setAttribute(k, v));
    (children || []).forEach((c) => node.append(c));
    return node;
  }

  function field(id, label, attributes, onInput) {
    const input = element("input", Object.assign({id: id, autocomplete: "off", spellcheck: "false"},
                                                 attributes));
    input.addEventListener("input", () => onInput(input.value));
    return element("label", {for: id}, [label, input]);
  }

  function renderPanel(panel) {
    const sandbox = field("sandbox-id", "Sandbox (X-Sandbox-Id)",
                          {placeholder: "default", value: sandboxId}, (v) => {
      sandboxId = v;
      try { window.localStorage.setItem(STORE, v); } catch (e) { /* storage off */ }
    });
    const rows = [element("div", {class: "sandbox-row"},
                          [element("strong", {}, ["tenant-sandbox"]), sandbox])];
    const signer = signers[panel.dataset.api];
    if (signer) {
      const inputs = signer.fields.map((f) => field(
        "sandbox-" + signer.api + "-" + f.name, f.label,
        {type: f.secret ? "password" : "text", placeholder: f.placeholder || ""},
        (v) => { values[signer.api][f.name] = v; }));
      const status = element("span", {id: "sandbox-signer-status", class: "sandbox-note"},
                             [signer.note]);
      if (!window.crypto || !window.crypto.subtle) {
        status.textContent = "This page cannot sign: WebCrypto needs a secure context. "
          + "Open it at http://localhost:<port>/ or http://127.0.0.1:<port>/.";
        status.classList.add("sandbox-warning");
      }
      rows.push(element("div", {class: "sandbox-row"},
                        [element("strong", {}, [signer.title]), ...inputs, status]));
    }
    panel.replaceChildren(...rows);
  }

  window.tenantSandbox = {requestInterceptor, registerSigner, renderPanel, setHeader, findHeader,
                         sandboxNow};
})();
