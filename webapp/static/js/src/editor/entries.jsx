// The entries of the properties panel: one component per thing the engine reads from an element.
import { SelectEntry, TextAreaEntry, TextFieldEntry } from "@bpmn-io/properties-panel";
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { postTo } from "../shared/page";
import { CodeEntry } from "./code-entry";
import {
  TIMER_KINDS,
  getBodyExtension,
  getCondition,
  getDocumentation,
  getProperty,
  getTimerKind,
  getTimerValue,
  laneOf,
  lanesOf,
  moveToLane,
  setBodyExtension,
  setCondition,
  setDocumentation,
  setProperty,
  setTimer,
} from "./model";

// What entries need to change the diagram, in one object.
function useServices() {
  return {
    modeling: useService("modeling"),
    moddle: useService("moddle"),
    bpmnFactory: useService("bpmnFactory"),
    elementRegistry: useService("elementRegistry"),
  };
}

function withChoose(options, translate) {
  return [{ value: "", label: translate("(none)") }].concat(options);
}

export function NameEntry(props) {
  var translate = useService("translate");
  var modeling = useService("modeling");
  return (
    <TextFieldEntry
      element={props.element}
      id={props.id}
      label={translate("Name")}
      description={translate("What the diagram shows; a user task's name is its title in the inbox.")}
      debounce={useService("debounceInput")}
      getValue={function (element) {
        return getBusinessObject(element).get("name") || "";
      }}
      setValue={function (value) {
        modeling.updateLabel(props.element, value);
      }}
    />
  );
}

export function DocumentationEntry(props) {
  var translate = useService("translate");
  var services = useServices();
  return (
    <TextAreaEntry
      element={props.element}
      id={props.id}
      label={translate("Documentation")}
      rows={3}
      debounce={useService("debounceInput")}
      getValue={getDocumentation}
      setValue={function (value) {
        setDocumentation(props.element, services, value);
      }}
    />
  );
}

export function LaneEntry(props) {
  var translate = useService("translate");
  var services = useServices();
  var elementRegistry = services.elementRegistry;
  return (
    <SelectEntry
      element={props.element}
      id={props.id}
      label={translate("Lane (who works it)")}
      getValue={function (element) {
        return laneOf(element, elementRegistry);
      }}
      setValue={function (value) {
        moveToLane(props.element, services, value);
      }}
      getOptions={function () {
        return lanesOf(elementRegistry).map(function (lane) {
          return { value: lane.id, label: getBusinessObject(lane).get("name") || lane.id };
        });
      }}
    />
  );
}

export function ScriptEntry(props) {
  var translate = useService("translate");
  var modeling = useService("modeling");
  return (
    <CodeEntry
      element={props.element}
      id={props.id}
      label={translate("Script (Python, run in the sandbox)")}
      description={translate("Reads and sets the process data; may call the engine's helpers only.")}
      getValue={function (element) {
        return getBusinessObject(element).get("script") || "";
      }}
      setValue={function (value) {
        modeling.updateProperties(props.element, { script: value, scriptFormat: "python" });
      }}
    />
  );
}

export function ExtensionScriptEntry(props) {
  var translate = useService("translate");
  var services = useServices();
  var type = props.kind === "pre" ? "spiffworkflow:PreScript" : "spiffworkflow:PostScript";
  var label = props.kind === "pre" ? translate("Script before the task (preScript)") : translate("Script after the task (postScript)");
  return (
    <CodeEntry
      element={props.element}
      id={props.id}
      label={label}
      getValue={function (element) {
        return getBodyExtension(element, type);
      }}
      setValue={function (value) {
        setBodyExtension(props.element, services, type, value);
      }}
    />
  );
}

export function ConditionEntry(props) {
  var translate = useService("translate");
  var services = useServices();
  return (
    <CodeEntry
      element={props.element}
      id={props.id}
      label={translate("Condition (a Python expression)")}
      description={translate("The flow is taken when it is true, for example: decision == \"approve\".")}
      getValue={getCondition}
      setValue={function (value) {
        setCondition(props.element, services, value);
      }}
    />
  );
}

export function DefaultFlowEntry(props) {
  var translate = useService("translate");
  var modeling = useService("modeling");
  var businessObject = getBusinessObject(props.element);
  return (
    <SelectEntry
      element={props.element}
      id={props.id}
      label={translate("Default flow (taken when no condition holds)")}
      getValue={function () {
        var current = businessObject.get("default");
        return current ? current.id : "";
      }}
      setValue={function (value) {
        var flow = (businessObject.get("outgoing") || []).find(function (outgoing) {
          return outgoing.id === value;
        });
        modeling.updateProperties(props.element, { default: flow });
      }}
      getOptions={function () {
        return withChoose(
          (businessObject.get("outgoing") || []).map(function (flow) {
            var target = flow.get("targetRef");
            var name = flow.get("name") || (target && target.get("name")) || flow.id;
            return { value: flow.id, label: name + " (" + flow.id + ")" };
          }),
          translate
        );
      }}
    />
  );
}

export function TimerKindEntry(props) {
  var translate = useService("translate");
  var services = useServices();
  var labels = {
    timeDuration: translate("Duration (after how long, e.g. P7D)"),
    timeDate: translate("Date (a moment with its offset)"),
    timeCycle: translate("Cycle (repeats, e.g. R3/P1D)"),
  };
  return (
    <SelectEntry
      element={props.element}
      id={props.id}
      label={translate("Timer kind")}
      getValue={getTimerKind}
      setValue={function (kind) {
        setTimer(props.element, services, kind, getTimerValue(props.element));
      }}
      getOptions={function () {
        return TIMER_KINDS.map(function (kind) {
          return { value: kind, label: labels[kind] };
        });
      }}
    />
  );
}

export function TimerValueEntry(props) {
  var translate = useService("translate");
  var services = useServices();
  return (
    <TextFieldEntry
      element={props.element}
      id={props.id}
      label={translate("Timer value")}
      description={translate("An ISO 8601 value such as P7D, \"P3D\", R3/PT1H or 2027-01-15T10:00:00+05:30, or an expression.")}
      debounce={useService("debounceInput")}
      getValue={getTimerValue}
      setValue={function (value) {
        setTimer(props.element, services, getTimerKind(props.element) || "timeDuration", value);
      }}
    />
  );
}

export function FormEntry(props) {
  var translate = useService("translate");
  var services = useServices();
  var forms = props.choices.forms;
  return (
    <SelectEntry
      element={props.element}
      id={props.id}
      label={translate("Form")}
      getValue={function (element) {
        return getProperty(element, "formJsonSchemaFilename");
      }}
      setValue={function (value) {
        setProperty(props.element, services, "formJsonSchemaFilename", value);
      }}
      getOptions={function (element) {
        var current = getProperty(element, "formJsonSchemaFilename");
        var names = forms.slice();
        if (current && names.indexOf(current) < 0) {
          names.push(current);
        }
        return withChoose(
          names.map(function (name) {
            return { value: name, label: name };
          }),
          translate
        );
      }}
    />
  );
}

export function StatusEntry(props) {
  var translate = useService("translate");
  var services = useServices();
  var statuses = props.choices.statuses;
  return (
    <SelectEntry
      element={props.element}
      id={props.id}
      label={translate("Application status while it waits here")}
      getValue={function (element) {
        return getProperty(element, "applicationStatus");
      }}
      setValue={function (value) {
        setProperty(props.element, services, "applicationStatus", value);
      }}
      getOptions={function () {
        return withChoose(
          statuses.map(function (status) {
            return { value: status.value, label: status.label + " (" + status.value + ")" };
          }),
          translate
        );
      }}
    />
  );
}

export function InstructionsEntry(props) {
  var translate = useService("translate");
  var services = useServices();
  return (
    <TextAreaEntry
      element={props.element}
      id={props.id}
      label={translate("Instructions for the person who works the task")}
      description={translate("A template: {{ officer.full_name }} shows a value of the process data.")}
      rows={5}
      monospace={true}
      debounce={useService("debounceInput")}
      getValue={function (element) {
        return getBodyExtension(element, "spiffworkflow:InstructionsForEndUser");
      }}
      setValue={function (value) {
        setBodyExtension(props.element, services, "spiffworkflow:InstructionsForEndUser", value);
      }}
    />
  );
}

// The instructions rendered by the server, as a task opened with the chosen sample data shows them.
export function InstructionsPreviewEntry(props) {
  var translate = useService("translate");
  var page = props.choices;
  var [sample, setSample] = useState("");
  var [shown, setShown] = useState("");
  var [busy, setBusy] = useState(false);
  var selectId = "bio-properties-panel-" + props.id + "-sample";

  function preview() {
    var template = getBodyExtension(props.element, "spiffworkflow:InstructionsForEndUser");
    if (!template.trim()) {
      setShown(translate("There are no instructions to preview."));
      return;
    }
    var chosen = sample ? sample.split("/") : [];
    setBusy(true);
    postTo(page.previewUrl, { template: template, process: chosen[0], scenario: chosen[1] }, page.csrfToken)
      .then(function (answer) {
        if (answer.ok) {
          setShown(answer.body.text || "");
        } else {
          setShown(translate("The preview could not be made: {reason}", { reason: (answer.body.error || {}).message || answer.status }));
        }
      })
      .catch(function () {
        setShown(translate("The preview could not be made: the server did not answer."));
      })
      .then(function () {
        setBusy(false);
      });
  }

  return (
    <div class="bio-properties-panel-entry igot-preview" data-entry-id={props.id}>
      <label class="bio-properties-panel-label" for={selectId}>
        {translate("Sample data for the preview")}
      </label>
      <select id={selectId} class="bio-properties-panel-input" value={sample} onChange={function (event) {
        setSample(event.target.value);
      }}>
        <option value="">{translate("An eligible officer (the scenarios' usual profile)")}</option>
        {page.scenarios.map(function (scenario) {
          var value = scenario.process + "/" + scenario.name;
          return <option value={value}>{translate("Scenario {name}", { name: value })}</option>;
        })}
      </select>
      <button type="button" class="igot-panel-button" onClick={preview} disabled={busy}>
        {translate("Preview the instructions")}
      </button>
      <div class="igot-preview__text" role="status" aria-live="polite">{shown}</div>
    </div>
  );
}

export function CalledProcessEntry(props) {
  var translate = useService("translate");
  var modeling = useService("modeling");
  var processes = props.choices.processes;
  return (
    <SelectEntry
      element={props.element}
      id={props.id}
      label={translate("Called process")}
      getValue={function (element) {
        return getBusinessObject(element).get("calledElement") || "";
      }}
      setValue={function (value) {
        modeling.updateProperties(props.element, { calledElement: value || undefined });
      }}
      getOptions={function (element) {
        var current = getBusinessObject(element).get("calledElement");
        var keys = processes.slice();
        if (current && keys.indexOf(current) < 0) {
          keys.push(current);
        }
        return withChoose(
          keys.map(function (key) {
            return { value: key, label: key };
          }),
          translate
        );
      }}
    />
  );
}

export function isWaitingEvent(element) {
  return is(element, "bpmn:IntermediateCatchEvent") || is(element, "bpmn:EndEvent");
}
