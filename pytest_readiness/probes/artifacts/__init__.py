"""Reports written by other tools: JUnit, coverage, vulnerability scans."""
