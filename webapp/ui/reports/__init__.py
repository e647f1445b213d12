"""DoPT's reports: tables with charts drawn from them, each downloadable as CSV and XLSX."""
