"""`credit`, the command line (docs/contracts.md "Command line"): `cli.main` parses the arguments, each command lives
in `cli.commands.<name>` and calls the steps (credit.steps) or a flow (flows/)."""
