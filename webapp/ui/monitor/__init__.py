"""The operator's console (DoPT and process owners): the instance monitor, and one application's
process with its repairs: retry, change the data, migrate, suspend, resume, cancel."""
