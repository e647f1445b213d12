"""The staff list of applications: search, filters, sort, paging and export."""
