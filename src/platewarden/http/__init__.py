"""What the API and the console share, so that neither imports the other: the opened platform as a dependency
and the caller's address."""
