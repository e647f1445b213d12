// The BPMN editor of process owners: the bpmn-js modeler with a properties panel fitted to this
// engine, over a plain form. Without JavaScript the form's "BPMN XML" textarea is the editor and
// its buttons check and deploy; with it, the modeler writes the textarea before the form is
// posted, and "Check" shows each problem at its element without leaving the page.
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";
import Modeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule } from "bpmn-js-properties-panel";

import { fetchText, pageData, translator } from "../shared/page";
import spiffworkflow from "../shared/spiffworkflow.json";
import { Checks } from "./checks";
import { ElementChooser } from "./chooser";
import IgotPropertiesProvider from "./provider";

var page = pageData("editor-data");
var t = translator(page.labels || {});
var editor = document.getElementById("editor");
var form = document.getElementById("deploy-form");
var summary = document.getElementById("error-summary");

if (summary) {
  summary.focus();
}

if (editor && form) {
  start();
}

function start() {
  var status = document.getElementById("editor-status");
  var canvasElement = document.getElementById("editor-canvas");
  var hint = document.getElementById("editor-hint");
  var workbench = document.getElementById("editor-workbench");
  var textarea = document.getElementById("xml");
  var xmlField = document.getElementById("xml-field");
  var download = document.getElementById("download-link");
  var checkButton = document.getElementById("check-button");
  var csrfToken = form.querySelector("input[name=csrf_token]").value;
  var submitted = editor.getAttribute("data-source") === "submitted";
  var modeler = null;
  // A re-shown form (the deploy was refused) holds edits that are not deployed yet.
  var dirty = submitted;
  var submitting = false;

  function fail(message) {
    status.textContent = t("The diagram editor could not start: {reason}. Edit the BPMN XML below instead.", {
      reason: message,
    });
    workbench.hidden = true;
    hint.hidden = true;
    xmlField.hidden = false;
  }

  function loadXml() {
    var url = editor.getAttribute("data-xml-url");
    if (submitted || !url) {
      return Promise.resolve(textarea.value);
    }
    return fetchText(url);
  }

  function currentXml() {
    return modeler.saveXML({ format: true }).then(function (result) {
      return result.xml;
    });
  }

  function open(xml) {
    workbench.hidden = false;
    modeler = new Modeler({
      container: canvasElement,
      keyboard: { bind: true },
      propertiesPanel: { parent: "#editor-panel" },
      moddleExtensions: { spiffworkflow: spiffworkflow },
      igot: Object.assign({ csrfToken: csrfToken }, page.choices),
      additionalModules: [
        BpmnPropertiesPanelModule,
        { __init__: ["igotPropertiesProvider"], igotPropertiesProvider: ["type", IgotPropertiesProvider] },
        { translate: ["value", t] },
      ],
    });
    return modeler.importXML(xml).then(function () {
      var canvas = modeler.get("canvas");
      canvas.zoom("fit-viewport");
      // Leave room for the tool palette, which sits over the left edge of the canvas.
      canvas.zoom(canvas.zoom() * 0.92);
      canvas.scroll({ dx: 70, dy: 0 });
      modeler.get("eventBus").on("commandStack.changed", function () {
        dirty = true;
      });
      new ElementChooser(modeler, document.getElementById("element-chooser"), document.getElementById("editor-panel"), t);
      new Checks(modeler, {
        button: checkButton,
        results: document.getElementById("check-results"),
        url: page.validateUrl,
        csrfToken: csrfToken,
        xml: currentXml,
        translate: t,
      });
      xmlField.hidden = true;
      hint.hidden = false;
      status.textContent = "";
    });
  }

  form.addEventListener("submit", function (event) {
    if (!modeler || submitting) {
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
        status.textContent = t("The diagram could not be saved: {reason}", { reason: error.message });
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
    .then(open)
    .catch(function (error) {
      fail(error.message);
    });
}
