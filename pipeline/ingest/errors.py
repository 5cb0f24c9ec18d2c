"""The one exception that refuses a whole file: it carries the reason the clerk reads in `audit.loads`."""


class FileRefused(Exception):
    """The file cannot be loaded at all (undecodable, empty, missing a required column, ...)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ReadAlone(Exception):
    """A file of a read-together group must be read on its own for its rows to come out as they would alone."""
