"""The staff inbox: the tasks a user may work, a task page with the facts beside the form."""
