/* tenant-sandbox: Roomle's request token, made in the browser per request (WebCrypto).
 *
 * With apiKey and its secret entered, every request gets `apiKey: <apiKey>` and
 * `token: 01-<base64(AES-CBC(secret, "<timestamp>;<session>;<apiKey>"))>`
 * (mock_server/apis/roomle/tokens.py: algorithm 01 is AES/CBC/PKCS5Padding with an
 * all-zero IV, the key the secret's UTF-8 bytes; 02, ECB, is not in WebCrypto).
 * The session is the signed-in user's session token (`POST /v2/auth/signin`
 * answers it), or `anonymous`. The timestamp (yyyy-MM-dd'T'HH:mm:ss.SSSZ) is the
 * sandbox's clock when /_sandbox/clock answers, the browser's otherwise.
 */
(function () {
  "use strict";
  const encoder = new TextEncoder();

  function base64(buffer) {
    return btoa(String.fromCharCode(...new Uint8Array(buffer)));
  }

  async function sign(request, values) {
    if (!values.apiKey || !values.secret || !window.crypto || !window.crypto.subtle) return;
    const url = new URL(request.url, window.location.href);
    const moment = await window.tenantSandbox.sandboxNow(url, request.headers);
    const plain = `${moment.toISOString()};${values.session || "anonymous"};${values.apiKey}`;
    const key = await crypto.subtle.importKey("raw", encoder.encode(values.secret),
                                              {name: "AES-CBC"}, false, ["encrypt"]);
    const cipher = await crypto.subtle.encrypt({name: "AES-CBC", iv: new Uint8Array(16)}, key,
                                               encoder.encode(plain));
    window.tenantSandbox.setHeader(request.headers, "apiKey", values.apiKey);
    window.tenantSandbox.setHeader(request.headers, "token", "01-" + base64(cipher));
  }

  window.tenantSandbox.registerSigner({
    api: "roomle",
    title: "Roomle request token",
    fields: [
      {name: "apiKey", label: "apiKey", placeholder: "rml_..."},
      {name: "secret", label: "secret", secret: true},
      {name: "session", label: "session token", placeholder: "anonymous"},
    ],
    note: "With apiKey and secret set, every request gets a fresh token (no need for Authorize).",
    sign: sign,
  });
})();
