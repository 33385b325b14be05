"""One module per page: its routes and the context dataclass its template renders."""
