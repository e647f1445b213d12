// Entries that only tell: the element's id (what refusals and scenarios name), and a hint.
import { useService } from "bpmn-js-properties-panel";

export function IdEntry(props) {
  var translate = useService("translate");
  return (
    <div class="bio-properties-panel-entry igot-fact" data-entry-id={props.id}>
      <span class="bio-properties-panel-label">{translate("Id (what checks and scenarios call it)")}</span>
      <code class="igot-fact__value">{props.element.id}</code>
    </div>
  );
}

export function HintEntry(props) {
  var translate = useService("translate");
  return (
    <div class="bio-properties-panel-entry igot-fact" data-entry-id={props.id}>
      <p>{translate("Choose an element of the diagram (or in the list above) to see and change what the engine reads from it.")}</p>
    </div>
  );
}
