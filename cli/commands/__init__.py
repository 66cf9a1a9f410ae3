"""One module per command, each with `run(args) -> exit code` and its imports at its top. `cli.main` imports
only the chosen command's module: `credit check` must not pay for Prefect and the flows (measured on 2 cores:
`import credit.check` 0.14 s, `import flows.daily` 9.6 s, `import credit.steps.report` 3.5 s)."""
