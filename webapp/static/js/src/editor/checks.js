// "Check": the server runs deploy's whole check on the diagram as it stands in the editor (rules,
// forms, every scenario) and stores nothing. Each problem is marked at its element (a marker, and
// the message on hover) and listed; choosing a problem in the list shows its element.
import { postTo } from "../shared/page";

var MARKER = "igot-problem";

export function Checks(modeler, options) {
  this.modeler = modeler;
  this.options = options;
  this.marked = [];
  var self = this;
  options.button.addEventListener("click", function (event) {
    event.preventDefault();
    self.run();
  });
}

Checks.prototype.run = function () {
  var self = this;
  var t = this.options.translate;
  var results = this.options.results;
  this.options.button.disabled = true;
  results.hidden = false;
  results.textContent = "";
  results.appendChild(paragraph(t("Checking the diagram and rehearsing the scenarios…")));
  this.options
    .xml()
    .then(function (xml) {
      var body = new FormData();
      body.append("xml", xml);
      return postTo(self.options.url, body, self.options.csrfToken);
    })
    .then(function (answer) {
      if (!answer.ok) {
        throw new Error((answer.body.error || {}).message || String(answer.status));
      }
      self.show(answer.body);
    })
    .catch(function (error) {
      results.textContent = "";
      results.appendChild(paragraph(t("The check could not be made: {reason}", { reason: error.message })));
    })
    .then(function () {
      self.options.button.disabled = false;
      results.focus();
    });
};

Checks.prototype.clear = function () {
  var canvas = this.modeler.get("canvas");
  var overlays = this.modeler.get("overlays");
  this.marked.forEach(function (id) {
    canvas.removeMarker(id, MARKER);
  });
  overlays.remove({ type: MARKER });
  this.marked = [];
};

Checks.prototype.mark = function (id, message) {
  var registry = this.modeler.get("elementRegistry");
  var element = registry.get(id);
  if (!element) {
    return false;
  }
  if (this.marked.indexOf(id) < 0) {
    this.modeler.get("canvas").addMarker(id, MARKER);
    this.marked.push(id);
  }
  var badge = document.createElement("span");
  badge.className = "igot-problem-badge";
  badge.textContent = "!";
  badge.title = message;
  badge.setAttribute("role", "img");
  badge.setAttribute("aria-label", message);
  var position = element.waypoints ? { top: -10, left: -10 } : { top: -12, right: 12 };
  this.modeler.get("overlays").add(id, MARKER, { position: position, html: badge });
  return true;
};

Checks.prototype.reveal = function (id) {
  var element = this.modeler.get("elementRegistry").get(id);
  if (element) {
    this.modeler.get("canvas").scrollToElement(element);
    this.modeler.get("selection").select(element);
  }
};

Checks.prototype.show = function (report) {
  var self = this;
  var t = this.options.translate;
  var results = this.options.results;
  this.clear();
  results.textContent = "";
  var heading = document.createElement("h2");
  heading.id = "check-results-title";
  results.appendChild(heading);

  var failed = report.scenarios.filter(function (scenario) {
    return !scenario.passed;
  });
  if (report.valid) {
    heading.textContent = t("The check passed: nothing was deployed");
    results.className = "check-results check-results--passed";
    results.appendChild(
      paragraph(
        report.changed
          ? t("Deploying this diagram would make a new version; {count} scenarios were rehearsed and all passed.", {
              count: report.scenarios.length,
            })
          : t("This diagram is the same as the newest version: deploying it would change nothing.")
      )
    );
  } else {
    heading.textContent = t("The check found problems: nothing was deployed");
    results.className = "check-results check-results--failed";
    var problems = report.problems.concat(
      failed.map(function (scenario) {
        return { element: scenario.element, message: scenario.message };
      })
    );
    var list = document.createElement("ul");
    list.className = "check-results__problems";
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      var onDiagram = problem.element && self.mark(problem.element, problem.message);
      if (onDiagram) {
        var show = document.createElement("button");
        show.type = "button";
        show.className = "link-button";
        show.textContent = t("Show {element}", { element: problem.element });
        show.addEventListener("click", function () {
          self.reveal(problem.element);
        });
        item.appendChild(show);
        item.appendChild(document.createTextNode(" "));
      }
      item.appendChild(document.createTextNode(problem.message));
      list.appendChild(item);
    });
    results.appendChild(list);
  }
  if (report.scenarios.length) {
    results.appendChild(scenarioTable(report.scenarios, t));
  }
};

function paragraph(text) {
  var element = document.createElement("p");
  element.textContent = text;
  return element;
}

function scenarioTable(scenarios, t) {
  var table = document.createElement("table");
  table.className = "table table--stack check-results__scenarios";
  var caption = document.createElement("caption");
  caption.textContent = t("Scenarios rehearsed");
  table.appendChild(caption);
  var head = table.createTHead().insertRow();
  [t("Scenario"), t("Result")].forEach(function (text) {
    var cell = document.createElement("th");
    cell.scope = "col";
    cell.textContent = text;
    head.appendChild(cell);
  });
  var body = table.createTBody();
  scenarios.forEach(function (scenario) {
    var row = body.insertRow();
    var name = row.insertCell();
    name.setAttribute("data-label", t("Scenario"));
    name.textContent = scenario.process + "/" + scenario.name;
    var result = row.insertCell();
    result.setAttribute("data-label", t("Result"));
    result.textContent = scenario.passed ? t("passed") : t("failed");
    result.className = scenario.passed ? "result result--passed" : "result result--failed";
  });
  return table;
}
