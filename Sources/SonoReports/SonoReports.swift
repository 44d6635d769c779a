// SonoReports module: see the README's architecture section.
