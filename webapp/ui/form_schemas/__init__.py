"""The forms of the user tasks for process owners: each deployed form, and an editor that shows
the form as an officer sees it and deploys the change with new versions of the processes."""
