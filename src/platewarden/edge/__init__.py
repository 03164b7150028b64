"""Edge mode: recognition next to the camera, reads published over MQTT from a local outbox; central ingest."""
