"""The types and rules of platewarden, free of IO: plates, observations, reads, cameras, hotlists, alerts."""
