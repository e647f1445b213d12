// A code field with line numbers (CodeMirror 6, Python highlighting) for the properties panel.
// Tab is left to move the focus on, as in any form field; Enter keeps the line's indentation.
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { defaultHighlightStyle, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers } from "@codemirror/view";
import { useEffect, useRef } from "@bpmn-io/properties-panel/preact/hooks";
import { useService } from "bpmn-js-properties-panel";

export function CodeEntry(props) {
  var element = props.element;
  var id = props.id;
  var debounce = useService("debounceInput");
  var holder = useRef(null);
  var view = useRef(null);
  var labelId = "bio-properties-panel-" + id + "-label";
  var descriptionId = "bio-properties-panel-" + id + "-description";

  useEffect(
    function () {
      // The element's own props: a change typed just before another element is chosen lands here.
      var own = props;
      var commit = debounce(function (text) {
        if (text !== (own.getValue(own.element) || "")) {
          own.setValue(text);
        }
      });
      var attributes = { "aria-labelledby": labelId, spellcheck: "false" };
      if (props.description) {
        attributes["aria-describedby"] = descriptionId;
      }
      view.current = new EditorView({
        parent: holder.current,
        state: EditorState.create({
          doc: props.getValue(element) || "",
          extensions: [
            lineNumbers(),
            history(),
            indentUnit.of("    "),
            python(),
            syntaxHighlighting(defaultHighlightStyle),
            keymap.of(defaultKeymap.concat(historyKeymap)),
            EditorView.lineWrapping,
            EditorView.contentAttributes.of(attributes),
            EditorView.updateListener.of(function (update) {
              if (update.docChanged) {
                commit(update.state.doc.toString());
              }
            }),
            // Leaving the field commits at once, before another element can be chosen.
            EditorView.domEventHandlers({
              blur: function () {
                commit.flush();
              },
            }),
          ],
        }),
      });
      return function () {
        commit.flush();
        view.current.destroy();
        view.current = null;
      };
    },
    [element, id]
  );

  // An undo, or another entry, may change the value under the editor: show it.
  useEffect(function () {
    var editor = view.current;
    var value = props.getValue(element) || "";
    if (editor && !editor.hasFocus && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  });

  return (
    <div class="bio-properties-panel-entry igot-code-entry" data-entry-id={id}>
      <span class="bio-properties-panel-label" id={labelId}>
        {props.label}
      </span>
      <div class="igot-code" ref={holder}></div>
      {props.description ? (
        <div class="bio-properties-panel-description" id={descriptionId}>
          {props.description}
        </div>
      ) : null}
    </div>
  );
}
