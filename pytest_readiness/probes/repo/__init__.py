"""The application's repository: CI workflows, dependencies, docs, secrets, commands."""
