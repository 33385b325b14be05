"""Tables, queries and migrations. Functions take a connection and never commit."""
