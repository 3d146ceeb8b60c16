/* Starts Swagger UI (vendored) on the API page; a file because CSP forbids inline script. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || !window.SwaggerUIBundle) { return; }
  var csrf = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken": "([^"]+)"/);
  window.SwaggerUIBundle({
    url: node.dataset.schemaUrl,
    domNode: node,
    deepLinking: false,
    requestInterceptor: function (request) {
      if (csrf) { request.headers["X-CSRFToken"] = csrf[1]; }
      return request;
    }
  });
});
