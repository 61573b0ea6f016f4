"""Region of a Community Safety Partnership."""


def region_for(csp: str) -> str:
    """The region of a CSP, or 'Unknown'."""
    return "Unknown"
