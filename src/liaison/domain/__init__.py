"""Pure rules of Liaison: object types, association types, history. No I/O."""
