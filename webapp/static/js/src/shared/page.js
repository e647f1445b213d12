// What a page hands its script: data in a <script type="application/json"> element (the page's
// Content-Security-Policy runs no inline script, and this is not one), and its translated texts.

export function pageData(id) {
  var element = document.getElementById(id);
  if (!element) {
    return {};
  }
  return JSON.parse(element.textContent || "{}");
}

// A translate function as bpmn-js expects one: `labels` maps each English text to the page's
// language; {name} placeholders are filled from `replacements`.
export function translator(labels) {
  return function translate(text, replacements) {
    var translated = (labels && labels[text]) || text;
    if (!replacements) {
      return translated;
    }
    return translated.replace(/{([^}]+)}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(replacements, key) ? String(replacements[key]) : match;
    });
  };
}

// POST JSON (or a FormData) to one of the site's own pages, with the form's CSRF token.
export function postTo(url, body, csrfToken) {
  var isForm = body instanceof FormData;
  var headers = { Accept: "application/json", "X-CSRFToken": csrfToken };
  if (!isForm) {
    headers["Content-Type"] = "application/json";
  }
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: headers,
    body: isForm ? body : JSON.stringify(body),
  }).then(function (response) {
    return response.json().then(
      function (json) {
        return { ok: response.ok, status: response.status, body: json };
      },
      function () {
        return { ok: false, status: response.status, body: {} };
      }
    );
  });
}

export function fetchText(url) {
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) {
      throw new Error(String(response.status));
    }
    return response.text();
  });
}
