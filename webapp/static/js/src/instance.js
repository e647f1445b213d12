// An application's process on its diagram (bpmn-js viewer): completed, active and failed elements
// coloured, how many times each ran, and the processes its call activities called, each opened
// from the list above the diagram or by clicking the call activity.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { fetchText, pageData, translator } from "./shared/page";
import spiffworkflow from "./shared/spiffworkflow.json";

var page = pageData("instance-data");
var t = translator(page.labels || {});
var container = document.getElementById("instance-diagram");
var chooser = document.getElementById("instance-process");
var status = document.getElementById("instance-status");

function runsBadge(trace) {
  var badge = document.createElement("span");
  badge.className = "run-count run-count--" + trace.state;
  badge.textContent = "×" + trace.runs;
  badge.title = t("Ran {count} times", { count: trace.runs });
  return badge;
}

function show(viewer, process) {
  status.textContent = t("Loading the diagram…");
  return fetchText(process.xmlUrl)
    .then(function (xml) {
      return viewer.importXML(xml);
    })
    .then(function () {
      var canvas = viewer.get("canvas");
      var overlays = viewer.get("overlays");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      Object.keys(process.elements).forEach(function (id) {
        var trace = process.elements[id];
        if (!registry.get(id)) {
          return;
        }
        canvas.addMarker(id, "state-" + trace.state);
        if (trace.runs > 0) {
          overlays.add(id, "runs", { position: { bottom: 4, right: 12 }, html: runsBadge(trace) });
        }
      });
      status.textContent = "";
    })
    .catch(function (error) {
      status.textContent = t("The diagram could not be drawn: {reason}", { reason: error.message });
    });
}

function start() {
  var viewer = new NavigatedViewer({ container: container, moddleExtensions: { spiffworkflow: spiffworkflow } });
  var byKey = {};
  page.processes.forEach(function (process) {
    byKey[process.key] = process;
  });

  function open(key) {
    if (!byKey[key]) {
      return;
    }
    chooser.value = key;
    show(viewer, byKey[key]);
  }

  chooser.addEventListener("change", function () {
    open(chooser.value);
  });
  viewer.get("eventBus").on("element.click", function (event) {
    if (is(event.element, "bpmn:CallActivity")) {
      open(getBusinessObject(event.element).get("calledElement"));
    }
  });
  open(page.processes[0].key);
}

if (container && chooser && page.processes && page.processes.length) {
  container.textContent = "";
  start();
}
