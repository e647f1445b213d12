// Draws a deployed BPMN diagram with the bpmn-js viewer (served from /static/vendor).
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  if (!container || typeof BpmnJS === "undefined") {
    return;
  }
  function fail(message) {
    container.textContent = message;
  }
  fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("the diagram could not be loaded (" + response.status + ")");
      }
      return response.text();
    })
    .then(function (xml) {
      container.textContent = "";
      var viewer = new BpmnJS({ container: container });
      return viewer.importXML(xml).then(function () {
        viewer.get("canvas").zoom("fit-viewport");
      });
    })
    .catch(function (error) {
      fail("The diagram could not be drawn: " + error.message + ". Download the XML instead.");
    });
})();
