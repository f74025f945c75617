"""The CLI's user-facing failure type."""


class CliError(Exception):
    """Printed as one line; exit status 2 (bad usage or input) unless another is given."""

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status
