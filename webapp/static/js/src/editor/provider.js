// The properties panel's groups for this engine: for the selected element, only what the engine
// reads from it (engine/validation.py, engine/bpmn_parser.py, engine/runtime.py), in its format.
import {
  Group,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { getBusinessObject, is, isAny } from "bpmn-js/lib/util/ModelUtil";

import {
  CalledProcessEntry,
  ConditionEntry,
  DefaultFlowEntry,
  DocumentationEntry,
  ExtensionScriptEntry,
  FormEntry,
  InstructionsEntry,
  InstructionsPreviewEntry,
  LaneEntry,
  NameEntry,
  ScriptEntry,
  StatusEntry,
  TimerKindEntry,
  TimerValueEntry,
  isWaitingEvent,
} from "./entries";
import { IdEntry, HintEntry } from "./facts";
import { isInLanes, lanesOf, timerDefinition } from "./model";

var DECIDING_GATEWAYS = ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway"];

export default function IgotPropertiesProvider(propertiesPanel, elementRegistry, translate, config) {
  this.elementRegistry = elementRegistry;
  this.translate = translate;
  this.choices = config || { forms: [], statuses: [], processes: [], scenarios: [] };
  propertiesPanel.registerProvider(500, this);
}

IgotPropertiesProvider.$inject = ["propertiesPanel", "elementRegistry", "translate", "config.igot"];

IgotPropertiesProvider.prototype.getGroups = function (element) {
  var self = this;
  return function (groups) {
    return groups.concat(self.groupsFor(element));
  };
};

IgotPropertiesProvider.prototype.group = function (id, label, entries) {
  var choices = this.choices;
  return {
    id: id,
    label: label,
    component: Group,
    shouldOpen: true,
    translate: this.translate,
    entries: entries.map(function (entry) {
      return Object.assign({ choices: choices }, entry);
    }),
  };
};

IgotPropertiesProvider.prototype.groupsFor = function (element) {
  var t = this.translate;
  if (isAny(element, ["bpmn:Collaboration", "bpmn:Process"]) || element.type === "label") {
    return [this.group("igot-hint", t("Properties"), [{ id: "hint", component: HintEntry }])];
  }
  var groups = [this.group("igot-general", t("General"), this.generalEntries(element))];
  if (is(element, "bpmn:ScriptTask")) {
    groups.push(this.group("igot-script", t("Script"), [{ id: "script", component: ScriptEntry }]));
  }
  if (is(element, "bpmn:UserTask")) {
    groups.push(
      this.group("igot-user-task", t("Form and status"), [
        { id: "form", component: FormEntry, isEdited: isSelectEntryEdited },
        { id: "status", component: StatusEntry, isEdited: isSelectEntryEdited },
      ])
    );
    groups.push(
      this.group("igot-instructions", t("Instructions"), [
        { id: "instructions", component: InstructionsEntry, isEdited: isTextAreaEntryEdited },
        { id: "instructions-preview", component: InstructionsPreviewEntry },
      ])
    );
  } else if (isWaitingEvent(element)) {
    groups.push(
      this.group("igot-status", t("Application status"), [
        { id: "status", component: StatusEntry, isEdited: isSelectEntryEdited },
      ])
    );
  }
  if (timerDefinition(element)) {
    groups.push(
      this.group("igot-timer", t("Timer"), [
        { id: "timer-kind", component: TimerKindEntry, isEdited: isSelectEntryEdited },
        { id: "timer-value", component: TimerValueEntry, isEdited: isTextFieldEntryEdited },
      ])
    );
  }
  if (is(element, "bpmn:SequenceFlow") && this.mayHaveCondition(element)) {
    groups.push(this.group("igot-condition", t("Condition"), [{ id: "condition", component: ConditionEntry }]));
  }
  if (isAny(element, DECIDING_GATEWAYS)) {
    groups.push(
      this.group("igot-default", t("Default flow"), [
        { id: "default-flow", component: DefaultFlowEntry, isEdited: isSelectEntryEdited },
      ])
    );
  }
  if (is(element, "bpmn:CallActivity")) {
    groups.push(
      this.group("igot-call", t("Called process"), [
        { id: "called-process", component: CalledProcessEntry, isEdited: isSelectEntryEdited },
      ])
    );
  }
  if (is(element, "bpmn:Activity")) {
    groups.push(
      this.group("igot-extra-scripts", t("Scripts before and after"), [
        { id: "pre-script", component: ExtensionScriptEntry, kind: "pre" },
        { id: "post-script", component: ExtensionScriptEntry, kind: "post" },
      ])
    );
  }
  return groups;
};

IgotPropertiesProvider.prototype.generalEntries = function (element) {
  var entries = [
    { id: "element-id", component: IdEntry },
    { id: "name", component: NameEntry, isEdited: isTextFieldEntryEdited },
    { id: "documentation", component: DocumentationEntry, isEdited: isTextAreaEntryEdited },
  ];
  if (isInLanes(element) && lanesOf(this.elementRegistry).length) {
    entries.push({ id: "lane", component: LaneEntry, isEdited: isSelectEntryEdited });
  }
  return entries;
};

// A flow leaving a gateway that decides, or one that already carries a condition.
IgotPropertiesProvider.prototype.mayHaveCondition = function (element) {
  var businessObject = getBusinessObject(element);
  var source = businessObject.get("sourceRef");
  return Boolean(businessObject.get("conditionExpression")) || isAny(source, DECIDING_GATEWAYS);
};
