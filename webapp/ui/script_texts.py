"""The texts the pages' scripts show (the editor and its properties panel, the version comparison,
the instance diagram), translated on the server and handed to the script as page data.

Each is an English text the script looks up; a script shows a text missing here as it is.
Placeholders in braces ({reason}) are filled in by the script.
"""

from __future__ import annotations

from flask_babel import gettext

from engine.i18n import N_

# The element types as the properties panel's header and the element list name them.
ELEMENT_TYPES = (
    N_("Call Activity"),
    N_("Collaboration"),
    N_("Conditional Flow"),
    N_("Default Flow"),
    N_("End Event"),
    N_("Exclusive Gateway"),
    N_("Inclusive Gateway"),
    N_("Lane"),
    N_("Parallel Gateway"),
    N_("Participant"),
    N_("Process"),
    N_("Script Task"),
    N_("Sequence Flow"),
    N_("Start Event"),
    N_("Boundary Event"),
    N_("Intermediate Catch Event"),
    N_("Task"),
    N_("Timer Boundary Event"),
    N_("Timer Boundary Event (Non Interrupting)"),
    N_("Timer Intermediate Catch Event"),
    N_("Timer Start Event"),
    N_("User Task"),
)

EDITOR = (
    *ELEMENT_TYPES,
    N_("The diagram editor could not start: {reason}. Edit the BPMN XML below instead."),
    N_("The diagram could not be saved: {reason}"),
    N_("(choose an element)"),
    N_("Checking the diagram and rehearsing the scenarios…"),
    N_("The check could not be made: {reason}"),
    N_("The check passed: nothing was deployed"),
    N_("Deploying this diagram would make a new version; {count} scenarios were rehearsed and all passed."),
    N_("This diagram is the same as the newest version: deploying it would change nothing."),
    N_("The check found problems: nothing was deployed"),
    N_("Show {element}"),
    N_("Scenarios rehearsed"),
    N_("Scenario"),
    N_("Result"),
    N_("passed"),
    N_("failed"),
    N_("Properties"),
    N_("General"),
    N_("Script"),
    N_("Form and status"),
    N_("Instructions"),
    N_("Application status"),
    N_("Timer"),
    N_("Condition"),
    N_("Default flow"),
    N_("Called process"),
    N_("Scripts before and after"),
    N_("(none)"),
    N_("Name"),
    N_("What the diagram shows; a user task's name is its title in the inbox."),
    N_("Documentation"),
    N_("Lane (who works it)"),
    N_("Script (Python, run in the sandbox)"),
    N_("Reads and sets the process data; may call the engine's helpers only."),
    N_("Script before the task (preScript)"),
    N_("Script after the task (postScript)"),
    N_("Condition (a Python expression)"),
    N_('The flow is taken when it is true, for example: decision == "approve".'),
    N_("Default flow (taken when no condition holds)"),
    N_("Duration (after how long, e.g. P7D)"),
    N_("Date (a moment with its offset)"),
    N_("Cycle (repeats, e.g. R3/P1D)"),
    N_("Timer kind"),
    N_("Timer value"),
    N_('An ISO 8601 value such as P7D, "P3D", R3/PT1H or 2027-01-15T10:00:00+05:30, or an expression.'),
    N_("Form"),
    N_("Application status while it waits here"),
    N_("Instructions for the person who works the task"),
    N_("A template: {{ officer.full_name }} shows a value of the process data."),
    N_("There are no instructions to preview."),
    N_("The preview could not be made: {reason}"),
    N_("The preview could not be made: the server did not answer."),
    N_("Sample data for the preview"),
    N_("An eligible officer (the scenarios' usual profile)"),
    N_("Scenario {name}"),
    N_("Preview the instructions"),
    N_("Id (what checks and scenarios call it)"),
    N_("Choose an element of the diagram (or in the list above) to see and change what the engine reads from it."),
    N_("Toggle section"),
    N_("Section contains edits"),
    N_("Section contains an error"),
    N_("Select an element to edit its properties."),
    N_("Multiple elements are selected. Select a single element to edit its properties."),
)

COMPARE = (
    N_("removed"),
    N_("added"),
    N_("changed"),
    N_("moved on the diagram"),
    N_("{property}: {before} → {after}"),
    N_("The two versions have the same elements and properties."),
    N_("What changed from version {from} to version {to}"),
    N_("Element"),
    N_("Change"),
    N_("Properties"),
    N_("The versions could not be compared: {reason}"),
    N_("Timer (duration)"),
    N_("Timer (date)"),
    N_("Timer (cycle)"),
    N_("Condition"),
    N_("Script"),
    N_("Name"),
    N_("Documentation"),
    N_("Default flow"),
    N_("Called process"),
    N_("Extension (spiffworkflow)"),
)

INSTANCE = (
    N_("Ran {count} times"),
    N_("Loading the diagram…"),
    N_("The diagram could not be drawn: {reason}"),
)


def script_texts(texts: tuple[str, ...]) -> dict[str, str]:
    """English text -> the reader's language, for a page's script."""
    return {text: str(gettext(text)) for text in texts}
