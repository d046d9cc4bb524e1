"""Developer scripts (screenshots, favicon); not part of the installed product."""
