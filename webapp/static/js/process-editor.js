// The BPMN editor of process owners: the bpmn-js modeler (served from /static/vendor) over
// a plain form. Without JavaScript the form's "BPMN XML" textarea is the editor; with it,
// the modeler writes the textarea just before the form is posted.
(function () {
  "use strict";
  var editor = document.getElementById("editor");
  var form = document.getElementById("deploy-form");
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  if (!editor || !form || typeof BpmnJS === "undefined") {
    return;
  }
  var status = document.getElementById("editor-status");
  var canvasElement = document.getElementById("editor-canvas");
  var hint = document.getElementById("editor-hint");
  var textarea = document.getElementById("xml");
  var xmlField = document.getElementById("xml-field");
  var download = document.getElementById("download-link");
  var submitted = editor.getAttribute("data-source") === "submitted";
  var modeler = null;
  // A re-shown form (the deploy was refused) holds edits that are not deployed yet.
  var dirty = submitted;
  var submitting = false;

  function fail(message) {
    status.textContent = "The diagram editor could not start: " + message + ". Edit the BPMN XML below instead.";
    canvasElement.hidden = true;
    hint.hidden = true;
    xmlField.hidden = false;
  }

  function loadXml() {
    var url = editor.getAttribute("data-xml-url");
    if (submitted || !url) {
      return Promise.resolve(textarea.value);
    }
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        throw new Error("the diagram could not be loaded (" + response.status + ")");
      }
      return response.text();
    });
  }

  function currentXml() {
    return modeler.saveXML({ format: true }).then(function (result) {
      return result.xml;
    });
  }

  function start(xml) {
    canvasElement.hidden = false;
    modeler = new BpmnJS({ container: canvasElement, keyboard: { bind: true } });
    return modeler.importXML(xml).then(function () {
      var canvas = modeler.get("canvas");
      canvas.zoom("fit-viewport");
      // Leave room for the tool palette, which sits over the left edge of the canvas.
      canvas.zoom(canvas.zoom() * 0.92);
      canvas.scroll({ dx: 70, dy: 0 });
      modeler.get("eventBus").on("commandStack.changed", function () {
        dirty = true;
      });
      xmlField.hidden = true;
      hint.hidden = false;
      status.textContent = "";
    });
  }

  form.addEventListener("submit", function (event) {
    if (!modeler || submitting) {
      submitting = true;
      return;
    }
    event.preventDefault();
    currentXml()
      .then(function (xml) {
        textarea.value = xml;
        submitting = true;
        form.submit();
      })
      .catch(function (error) {
        status.textContent = "The diagram could not be saved: " + error.message;
      });
  });

  if (download) {
    download.addEventListener("click", function (event) {
      if (!modeler) {
        return;
      }
      event.preventDefault();
      currentXml().then(function (xml) {
        var url = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
        var link = document.createElement("a");
        link.href = url;
        link.download = download.getAttribute("download") || "process.bpmn";
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () {
          URL.revokeObjectURL(url);
        }, 1000);
      });
    });
  }

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  loadXml()
    .then(start)
    .catch(function (error) {
      fail(error.message);
    });
})();
