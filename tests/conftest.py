pytest_plugins = ["pytest_readiness.launcher.fixtures", "pytester"]
