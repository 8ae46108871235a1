/* tenant-sandbox: Bizzlink's request signing in the browser (WebCrypto).
 *
 * With token and secret entered, every request gets `Authorization: Bearer <token>`
 * and `X-Bizzlink-Signature: t=<unix-seconds>,v1=<hex>`, where v1 is the
 * HMAC-SHA256, keyed with the secret, of
 *   {t}.{METHOD}.{path-and-query}.{sha256-hex(body bytes)}
 * (mock_server/apis/bizzlink/signing.py). The path and query are the ones the
 * browser puts on the wire (the URL as fetch serialises it), the body the UTF-8
 * bytes of the string Swagger UI sends. `t` is the sandbox's clock when
 * /_sandbox/clock answers (a frozen or moved clock), the browser's otherwise.
 */
(function () {
  "use strict";
  const encoder = new TextEncoder();

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function bodyBytes(body) {
    if (body === undefined || body === null) return new Uint8Array();
    if (typeof body === "string") return encoder.encode(body);
    if (body instanceof URLSearchParams) return encoder.encode(body.toString());
    if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
    if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return new Uint8Array(body);
    throw new Error("Bizzlink signing: this request body cannot be signed in the browser");
  }

  async function sign(request, values) {
    if (!values.token || !values.secret || !window.crypto || !window.crypto.subtle) return;
    const url = new URL(request.url, window.location.href);
    const pathAndQuery = url.pathname + url.search;
    const bodyHash = hex(await crypto.subtle.digest("SHA-256", await bodyBytes(request.body)));
    const t = Math.floor((await window.tenantSandbox.sandboxNow(url, request.headers)).getTime() / 1000);
    const message = `${t}.${request.method.toUpperCase()}.${pathAndQuery}.${bodyHash}`;
    const key = await crypto.subtle.importKey("raw", encoder.encode(values.secret),
                                              {name: "HMAC", hash: "SHA-256"}, false, ["sign"]);
    const v1 = hex(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
    window.tenantSandbox.setHeader(request.headers, "Authorization", "Bearer " + values.token);
    window.tenantSandbox.setHeader(request.headers, "X-Bizzlink-Signature", `t=${t},v1=${v1}`);
  }

  window.tenantSandbox.registerSigner({
    api: "bizzlink",
    title: "Bizzlink signing",
    fields: [
      {name: "token", label: "API token", placeholder: "bzl_..."},
      {name: "secret", label: "HMAC secret", secret: true},
    ],
    note: "With both set, every request is signed here (no need for Authorize).",
    sign: sign,
  });
})();
