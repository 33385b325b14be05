"""The `liaison` command: thin adapters that parse options, call one service and print."""
