// A list of every element of the diagram, to choose one with the keyboard (or a screen reader):
// choosing selects it, shows it on the canvas and opens its properties in the panel.
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

var SKIPPED = ["bpmn:Collaboration", "bpmn:Process", "bpmn:LaneSet"];

function describe(element, translate) {
  var businessObject = getBusinessObject(element);
  var name = (businessObject.get("name") || "").replace(/\s+/g, " ").trim();
  // The words the properties panel's header uses for the element's type ("User Task").
  var kind = translate(businessObject.$type.replace("bpmn:", "").replace(/(\B[A-Z])/g, " $1"));
  return (name ? name + " · " : "") + kind + " · " + element.id;
}

export function ElementChooser(modeler, select, panel, translate) {
  if (!select) {
    return;
  }
  var registry = modeler.get("elementRegistry");
  var selection = modeler.get("selection");
  var canvas = modeler.get("canvas");
  var eventBus = modeler.get("eventBus");

  function fill() {
    var chosen = select.value;
    var elements = registry.filter(function (element) {
      return element.type !== "label" && element.businessObject && !SKIPPED.some(function (type) {
        return is(element, type);
      });
    });
    elements.sort(function (a, b) {
      return describe(a, translate).localeCompare(describe(b, translate));
    });
    select.textContent = "";
    var none = document.createElement("option");
    none.value = "";
    none.textContent = translate("(choose an element)");
    select.appendChild(none);
    elements.forEach(function (element) {
      var option = document.createElement("option");
      option.value = element.id;
      option.textContent = describe(element, translate);
      select.appendChild(option);
    });
    select.value = registry.get(chosen) ? chosen : "";
  }

  select.addEventListener("change", function () {
    // A field of the panel still being typed in commits when it loses the focus; make it lose
    // it before the panel shows another element (a script may change the list without focusing it).
    var typing = document.activeElement;
    if (typing && typing !== select && panel && panel.contains(typing)) {
      typing.blur();
    }
    var element = registry.get(select.value);
    if (element) {
      selection.select(element);
      canvas.scrollToElement(element);
    }
  });
  eventBus.on("selection.changed", function (event) {
    var chosen = event.newSelection.length === 1 ? event.newSelection[0].id : "";
    if (select.value !== chosen) {
      select.value = registry.get(chosen) ? chosen : "";
    }
  });
  eventBus.on("elements.changed", fill);
  fill();
}
