"""Use cases. Each call is one transaction: it checks the rules, writes the change and its
history together, and returns domain objects. Every writer goes through here."""
