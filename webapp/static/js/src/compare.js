// Two versions of a process side by side (bpmn-js viewers), their differences found by
// bpmn-js-differ: removed elements marked on the older diagram, added ones on the newer, changed
// ones on both, with a list of every property change.
import { BpmnModdle } from "bpmn-moddle";
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { ChangeHandler, diff } from "bpmn-js-differ";

import { fetchText, pageData, translator } from "./shared/page";
import spiffworkflow from "./shared/spiffworkflow.json";

var page = pageData("compare-data");
var t = translator(page.labels || {});

// bpmn-js-differ records a change only on the element it tracks (a task, an event, a flow), and
// drops changes inside what such an element holds: a timer's value, a flow's condition, the
// spiffworkflow properties. This handler records them on the element that holds them, named by
// their path ("eventDefinitions[0].timeDuration.body").
function DeepChangeHandler() {
  ChangeHandler.call(this);
}
DeepChangeHandler.prototype = Object.create(ChangeHandler.prototype);
DeepChangeHandler.prototype.constructor = DeepChangeHandler;

DeepChangeHandler.prototype.owner = function (model) {
  var node = model;
  while (node && node.$parent) {
    node = node.$parent;
    var tracked = this._isTracked(node);
    if (tracked) {
      return tracked.element;
    }
  }
  return null;
};

function propertyPath(model, owner) {
  var parts = [];
  var node = model;
  while (node && node !== owner && node.$parent) {
    var parent = node.$parent;
    parts.unshift(holdingProperty(parent, node));
    node = parent;
  }
  return parts.join(".");
}

function holdingProperty(parent, child) {
  var properties = (parent.$descriptor && parent.$descriptor.properties) || [];
  for (var index = 0; index < properties.length; index++) {
    var name = properties[index].name;
    var value = parent.get ? parent.get(name) : parent[name];
    if (value === child) {
      return name;
    }
    if (Array.isArray(value) && value.indexOf(child) >= 0) {
      return name + "[" + value.indexOf(child) + "]";
    }
  }
  return "?";
}

DeepChangeHandler.prototype.changed = function (model, property, newValue, oldValue) {
  var owner = !this._isTracked(model) && model && model.$parent ? this.owner(model) : null;
  if (owner) {
    var path = propertyPath(model, owner);
    return ChangeHandler.prototype.changed.call(this, owner, (path ? path + "." : "") + property, newValue, oldValue);
  }
  return ChangeHandler.prototype.changed.call(this, model, property, newValue, oldValue);
};

["added", "removed"].forEach(function (kind) {
  DeepChangeHandler.prototype[kind] = function (model, property, element, index) {
    var owner = !this._isTracked(element) && !this._isTracked(model) && model && model.$parent ? this.owner(model) : null;
    if (owner) {
      var path = propertyPath(model, owner) + "." + property + "[" + index + "]";
      // In the order bpmn-js-differ gives a change's values: the older model's first.
      var values = kind === "added" ? [null, element] : [element, null];
      return ChangeHandler.prototype.changed.call(this, owner, path, values[0], values[1]);
    }
    return ChangeHandler.prototype[kind].call(this, model, property, element, index);
  };
});

function shown(value) {
  if (value === null || value === undefined) {
    return "—";
  }
  if (typeof value === "object") {
    if (value.body !== undefined) {
      return String(value.body);
    }
    if (value.$type) {
      return value.$type + (value.name ? " " + value.name : "") + (value.value ? " = " + value.value : "");
    }
    return JSON.stringify(value);
  }
  return String(value);
}

// The properties the engine reads, in words; any other by its path in the model.
var PROPERTY_WORDS = [
  [/timeDuration/, "Timer (duration)"],
  [/timeDate/, "Timer (date)"],
  [/timeCycle/, "Timer (cycle)"],
  [/^conditionExpression/, "Condition"],
  [/^script$/, "Script"],
  [/^name$/, "Name"],
  [/^documentation/, "Documentation"],
  [/^default$/, "Default flow"],
  [/^calledElement$/, "Called process"],
  [/^extensionElements/, "Extension (spiffworkflow)"],
];

function propertyWords(path) {
  var known = PROPERTY_WORDS.find(function (entry) {
    return entry[0].test(path);
  });
  return known ? t(known[1]) + " (" + path + ")" : path;
}

function nameOf(element) {
  return (element && element.name) || "";
}

function cell(row, text, label) {
  var td = row.insertCell();
  td.setAttribute("data-label", label);
  td.textContent = text;
  return td;
}

function render(changes, element) {
  var rows = [];
  Object.keys(changes._removed).forEach(function (id) {
    rows.push({ id: id, name: nameOf(changes._removed[id]), kind: t("removed"), details: [] });
  });
  Object.keys(changes._added).forEach(function (id) {
    rows.push({ id: id, name: nameOf(changes._added[id]), kind: t("added"), details: [] });
  });
  Object.keys(changes._changed).forEach(function (id) {
    var change = changes._changed[id];
    // bpmn-js-differ 3.2 passes the older model's value as `newValue` and the newer's as `oldValue`.
    var details = Object.keys(change.attrs).map(function (path) {
      var attr = change.attrs[path];
      return t("{property}: {before} → {after}", {
        property: propertyWords(path),
        before: shown(attr.newValue),
        after: shown(attr.oldValue),
      });
    });
    rows.push({ id: id, name: nameOf(change.model), kind: t("changed"), details: details });
  });
  Object.keys(changes._layoutChanged).forEach(function (id) {
    if (!changes._changed[id] && !changes._added[id] && !changes._removed[id]) {
      rows.push({ id: id, name: nameOf(changes._layoutChanged[id]), kind: t("moved on the diagram"), details: [] });
    }
  });
  element.textContent = "";
  if (!rows.length) {
    var none = document.createElement("p");
    none.textContent = t("The two versions have the same elements and properties.");
    element.appendChild(none);
    return;
  }
  var table = document.createElement("table");
  table.className = "table table--stack changes";
  var caption = document.createElement("caption");
  caption.textContent = t("What changed from version {from} to version {to}", { from: page.fromVersion, to: page.toVersion });
  table.appendChild(caption);
  var head = table.createTHead().insertRow();
  [t("Element"), t("Change"), t("Properties")].forEach(function (text) {
    var th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    head.appendChild(th);
  });
  var body = table.createTBody();
  rows.forEach(function (entry) {
    var row = body.insertRow();
    row.className = "changes__row changes__row--" + entry.kind.replace(/\s+/g, "-");
    row.setAttribute("data-element-id", entry.id);
    cell(row, (entry.name ? entry.name + " · " : "") + entry.id, t("Element"));
    cell(row, entry.kind, t("Change"));
    var detail = cell(row, "", t("Properties"));
    entry.details.forEach(function (line) {
      var item = document.createElement("div");
      item.textContent = line;
      detail.appendChild(item);
    });
  });
  element.appendChild(table);
}

function draw(container, xml) {
  var viewer = new NavigatedViewer({ container: container, moddleExtensions: { spiffworkflow: spiffworkflow } });
  return viewer.importXML(xml).then(function () {
    viewer.get("canvas").zoom("fit-viewport");
    return viewer;
  });
}

function mark(viewer, ids, marker) {
  var registry = viewer.get("elementRegistry");
  ids.forEach(function (id) {
    if (registry.get(id)) {
      viewer.get("canvas").addMarker(id, marker);
    }
  });
}

function compare() {
  var status = document.getElementById("compare-status");
  var changesElement = document.getElementById("changes");
  Promise.all([fetchText(page.fromUrl), fetchText(page.toUrl)])
    .then(function (texts) {
      var moddle = new BpmnModdle({ spiffworkflow: spiffworkflow });
      return Promise.all([moddle.fromXML(texts[0]), moddle.fromXML(texts[1])]).then(function (parsed) {
        var changes = diff(parsed[0].rootElement, parsed[1].rootElement, new DeepChangeHandler());
        return Promise.all([
          draw(document.getElementById("diagram-from"), texts[0]),
          draw(document.getElementById("diagram-to"), texts[1]),
        ]).then(function (viewers) {
          var changed = Object.keys(changes._changed);
          mark(viewers[0], Object.keys(changes._removed), "diff-removed");
          mark(viewers[0], changed, "diff-changed");
          mark(viewers[1], Object.keys(changes._added), "diff-added");
          mark(viewers[1], changed, "diff-changed");
          render(changes, changesElement);
          status.textContent = "";
        });
      });
    })
    .catch(function (error) {
      status.textContent = t("The versions could not be compared: {reason}", { reason: error.message });
    });
}

if (document.getElementById("diagram-from")) {
  compare();
}
