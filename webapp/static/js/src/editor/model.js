// Reading and writing what the engine reads from a BPMN element, in the format it reads:
// bpmn attributes (name, script, conditionExpression, default, calledElement, timers) and the
// spiffworkflow extension (properties, preScript, postScript, instructionsForEndUser).
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

export var TIMER_KINDS = ["timeDuration", "timeDate", "timeCycle"];

export function extensionValues(element) {
  var extensions = getBusinessObject(element).get("extensionElements");
  return extensions ? extensions.get("values") : [];
}

function findExtension(element, type) {
  return extensionValues(element).find(function (value) {
    return is(value, type);
  });
}

// Where the modeler keeps an element's extensions; made when missing (one command).
function ensureExtensions(element, services) {
  var businessObject = getBusinessObject(element);
  var extensions = businessObject.get("extensionElements");
  if (!extensions) {
    extensions = services.bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
    extensions.$parent = businessObject;
    services.modeling.updateProperties(element, { extensionElements: extensions });
  }
  return extensions;
}

function addExtension(element, services, child) {
  var extensions = ensureExtensions(element, services);
  child.$parent = extensions;
  services.modeling.updateModdleProperties(element, extensions, {
    values: extensions.get("values").concat([child]),
  });
}

function removeExtension(element, services, child) {
  var extensions = getBusinessObject(element).get("extensionElements");
  services.modeling.updateModdleProperties(element, extensions, {
    values: extensions.get("values").filter(function (value) {
      return value !== child;
    }),
  });
}

// A body-valued spiffworkflow element: spiffworkflow:preScript, postScript, instructionsForEndUser.
export function getBodyExtension(element, type) {
  var found = findExtension(element, type);
  return found ? found.get("value") || "" : "";
}

export function setBodyExtension(element, services, type, value) {
  var found = findExtension(element, type);
  var empty = !value || !value.trim();
  if (found && empty) {
    removeExtension(element, services, found);
  } else if (found) {
    services.modeling.updateModdleProperties(element, found, { value: value });
  } else if (!empty) {
    addExtension(element, services, services.moddle.create(type, { value: value }));
  }
}

// spiffworkflow:properties / spiffworkflow:property name="..." value="...".
function propertyList(element) {
  return findExtension(element, "spiffworkflow:Properties");
}

export function getProperty(element, name) {
  var list = propertyList(element);
  var found = list
    ? list.get("properties").find(function (property) {
        return property.get("name") === name;
      })
    : null;
  return found ? found.get("value") || "" : "";
}

export function setProperty(element, services, name, value) {
  var list = propertyList(element);
  var properties = list ? list.get("properties") : [];
  var found = properties.find(function (property) {
    return property.get("name") === name;
  });
  if (found && !value) {
    services.modeling.updateModdleProperties(element, list, {
      properties: properties.filter(function (property) {
        return property !== found;
      }),
    });
  } else if (found) {
    services.modeling.updateModdleProperties(element, found, { value: value });
  } else if (value) {
    var property = services.moddle.create("spiffworkflow:Property", { name: name, value: value });
    if (list) {
      property.$parent = list;
      services.modeling.updateModdleProperties(element, list, { properties: properties.concat([property]) });
    } else {
      list = services.moddle.create("spiffworkflow:Properties", { properties: [property] });
      property.$parent = list;
      addExtension(element, services, list);
    }
  }
}

export function getDocumentation(element) {
  var documentation = getBusinessObject(element).get("documentation");
  return documentation.length ? documentation[0].get("text") || "" : "";
}

export function setDocumentation(element, services, text) {
  var businessObject = getBusinessObject(element);
  var documentation = businessObject.get("documentation");
  if (!text || !text.trim()) {
    services.modeling.updateProperties(element, { documentation: [] });
  } else if (documentation.length) {
    services.modeling.updateModdleProperties(element, documentation[0], { text: text });
  } else {
    var created = services.bpmnFactory.create("bpmn:Documentation", { text: text });
    created.$parent = businessObject;
    services.modeling.updateProperties(element, { documentation: [created] });
  }
}

function formalExpression(services, body, parent) {
  var expression = services.bpmnFactory.create("bpmn:FormalExpression", { body: body });
  expression.$parent = parent;
  return expression;
}

export function getCondition(element) {
  var condition = getBusinessObject(element).get("conditionExpression");
  return condition ? condition.get("body") || "" : "";
}

export function setCondition(element, services, body) {
  var businessObject = getBusinessObject(element);
  var condition = businessObject.get("conditionExpression");
  if (!body || !body.trim()) {
    services.modeling.updateProperties(element, { conditionExpression: undefined });
  } else if (condition) {
    services.modeling.updateModdleProperties(element, condition, { body: body });
  } else {
    services.modeling.updateProperties(element, { conditionExpression: formalExpression(services, body, businessObject) });
  }
}

export function timerDefinition(element) {
  var definitions = getBusinessObject(element).get("eventDefinitions") || [];
  return definitions.find(function (definition) {
    return is(definition, "bpmn:TimerEventDefinition");
  });
}

export function getTimerKind(element) {
  var timer = timerDefinition(element);
  return (
    TIMER_KINDS.find(function (kind) {
      return timer && timer.get(kind);
    }) || ""
  );
}

export function getTimerValue(element) {
  var kind = getTimerKind(element);
  var expression = kind ? timerDefinition(element).get(kind) : null;
  return expression ? expression.get("body") || "" : "";
}

export function setTimer(element, services, kind, value) {
  var timer = timerDefinition(element);
  var changes = {};
  TIMER_KINDS.forEach(function (name) {
    changes[name] = undefined;
  });
  if (kind) {
    changes[kind] = formalExpression(services, value || "", timer);
  }
  services.modeling.updateModdleProperties(element, timer, changes);
}

// The lanes of the element's process, in drawing order, and the lane it is in.
export function lanesOf(elementRegistry) {
  return elementRegistry.filter(function (shape) {
    return is(shape, "bpmn:Lane");
  });
}

export function laneOf(element, elementRegistry) {
  var businessObject = getBusinessObject(element);
  var lane = lanesOf(elementRegistry).find(function (shape) {
    return (getBusinessObject(shape).get("flowNodeRef") || []).indexOf(businessObject) >= 0;
  });
  return lane ? lane.id : "";
}

// Moving a shape into another lane is what makes it a member there: the modeler keeps each
// lane's flowNodeRef in step with where its shapes are drawn.
export function moveToLane(element, services, laneId) {
  var lane = services.elementRegistry.get(laneId);
  if (!lane) {
    return;
  }
  var middle = element.y + element.height / 2;
  var target = lane.y + lane.height / 2;
  if (middle > lane.y && middle < lane.y + lane.height) {
    return;
  }
  services.modeling.moveShape(element, { x: 0, y: Math.round(target - middle) });
}

export function isInLanes(element) {
  return (
    is(element, "bpmn:FlowNode") &&
    !is(element, "bpmn:BoundaryEvent") &&
    element.parent &&
    (is(element.parent, "bpmn:Participant") || is(element.parent, "bpmn:Process"))
  );
}
